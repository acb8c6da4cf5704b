import type { ReactNode } from 'react';

/**
 * A person's name (or any text of unknown direction) inside the interface: isolated, with its direction
 * taken from its own first strong character. So a Latin name in the Arabic layout keeps its punctuation on
 * the right side and, when it has to be cut (`clip`), loses its end, not its beginning.
 */
export function Name({ children, clip = false, className, testId }: { children: ReactNode; clip?: boolean; className?: string; testId?: string }) {
  return (
    <bdi dir="auto" className={['name', clip ? 'name--clip' : '', className ?? ''].filter(Boolean).join(' ')} data-testid={testId}>
      {children}
    </bdi>
  );
}
