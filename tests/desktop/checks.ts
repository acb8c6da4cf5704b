/** The desktop suite's bookkeeping: named checks, each passing, failing (with why) or skipped (with why). */

export interface CheckResult {
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  detail?: string;
}

export const results: CheckResult[] = [];

const colour = (code: number, text: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[${code}m${text}\u001b[0m` : text);

export async function check(name: string, body: () => unknown): Promise<boolean> {
  try {
    await body();
    results.push({ name, outcome: 'passed' });
    console.log(`  ${colour(32, '✓')} ${name}`);
    return true;
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    results.push({ name, outcome: 'failed', detail });
    console.log(`  ${colour(31, '✗')} ${name}\n${detail.replace(/^/gm, '      ')}`);
    return false;
  }
}

export function skip(name: string, reason: string): void {
  results.push({ name, outcome: 'skipped', detail: reason });
  console.log(`  ${colour(33, '-')} ${name} (skipped: ${reason})`);
}

export function section(title: string): void {
  console.log(`\n${title}`);
}

export function summary(): { passed: number; failed: number; skipped: number } {
  const count = (outcome: CheckResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}
