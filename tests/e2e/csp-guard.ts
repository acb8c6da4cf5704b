import { test as base, type Browser, type BrowserContext, type BrowserContextOptions } from '@playwright/test';

/**
 * Zero Content-Security-Policy violations on every e2e page. Each browser context is armed before its first
 * page loads: a capture listener on the document reports every `securitypolicyviolation` event (inline
 * style or script, a blocked URL, an eval) to the test process. Each test fails if any page reported one
 * while it ran, naming the directive, the blocked resource and a sample of what was refused.
 */
export interface CspViolation {
  page: string;
  directive: string;
  blocked: string;
  sample: string;
  source: string;
  line: number;
}

const BINDING = '__samiaReportCspViolation';
const armed = new WeakSet<BrowserContext>();
const violations: CspViolation[] = [];

export async function armCspGuard(context: BrowserContext): Promise<BrowserContext> {
  if (armed.has(context)) return context;
  armed.add(context);
  await context.exposeBinding(BINDING, ({ page }, report: Omit<CspViolation, 'page'>) => {
    violations.push({ page: page?.url() ?? '(unknown page)', ...report });
  });
  await context.addInitScript((binding: string) => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => {
        const report = (window as unknown as Record<string, (v: unknown) => void>)[binding];
        report?.({
          directive: event.effectiveDirective,
          blocked: event.blockedURI,
          sample: event.sample,
          source: event.sourceFile,
          line: event.lineNumber,
        });
      },
      { capture: true },
    );
  }, BINDING);
  return context;
}

/** A new context with the guard armed: for specs that open several users' windows themselves. */
export async function newGuardedContext(browser: Browser, options?: BrowserContextOptions): Promise<BrowserContext> {
  return armCspGuard(await browser.newContext(options));
}

export function describeViolations(list: readonly CspViolation[]): string {
  return list.map((v) => `${v.directive} refused ${v.blocked || 'inline'} (${JSON.stringify(v.sample)}) at ${v.source}:${v.line} on ${v.page}`).join('\n');
}

/** Playwright's `test` with the guard: the default `context` (and so `page`) is armed, and every test checks the record. */
export const test = base.extend<{ cspGuard: void }>({
  context: async ({ context }, use) => {
    await use(await armCspGuard(context));
  },
  cspGuard: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, testInfo) => {
      const from = violations.length;
      await use();
      const found = violations.slice(from);
      if (found.length > 0 && testInfo.status === testInfo.expectedStatus) {
        throw new Error(`${found.length} Content-Security-Policy violation(s) during "${testInfo.title}":\n${describeViolations(found)}`);
      }
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
