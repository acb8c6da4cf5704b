import { Children, isValidElement, useLayoutEffect, useRef, type ComponentPropsWithoutRef, type ReactElement, type ReactNode } from 'react';

type Props = Omit<ComponentPropsWithoutRef<'ul'>, 'children'> & {
  /** The order to show, by the `data-row-id` of each child's element; the children come with those ids as keys. */
  ids: readonly string[];
  children: ReactNode;
};

/**
 * A list whose rows move often and mostly to the top (a session list: each message moves its session first). React
 * moves a row up by moving every row it passes instead, and each moved row is styled and laid out again: with a
 * hundred rows, most of the page's work per message. Here React keeps its children in one order that never changes
 * (by key), and after each render the rows are put in the order shown, with one move per row moved up. The move is
 * `moveBefore` where the browser has it, which keeps the moved row's keyboard focus (React restores the focus after
 * its own moves only; a plain re-insertion would drop it).
 */
export function OrderedList({ ids, children, ...rest }: Props) {
  const list = useRef<HTMLUListElement>(null);
  const stable = Children.toArray(children)
    .filter((child): child is ReactElement => isValidElement(child))
    .sort((a, b) => (String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0));
  useLayoutEffect(() => {
    if (list.current) placeInOrder(list.current, ids);
  });
  return (
    <ul ref={list} {...rest}>
      {stable}
    </ul>
  );
}

type Movable = HTMLElement & { moveBefore?: (node: Node, child: Node | null) => void };

/** Puts the parent's children with these `data-row-id`s in this order, moving only those out of place. */
export function placeInOrder(parent: HTMLElement, ids: readonly string[]): void {
  const rows = new Map<string, Element>();
  for (const child of parent.children) {
    const id = (child as HTMLElement).dataset.rowId;
    if (id !== undefined) rows.set(id, child);
  }
  let cursor: Element | null = parent.firstElementChild;
  for (const id of ids) {
    const row = rows.get(id);
    if (!row) continue;
    if (row === cursor) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    move(parent as Movable, row, cursor);
  }
}

function move(parent: Movable, row: Element, before: Element | null) {
  if (typeof parent.moveBefore === 'function') {
    try {
      parent.moveBefore(row, before);
      return;
    } catch {
      // A state it cannot keep (it refuses some moves): moved the plain way, as React would.
    }
  }
  parent.insertBefore(row, before);
}
