import type { SuiteContext } from './app-checks';
export async function runShellScenarios(_context: SuiteContext, ..._rest: string[]): Promise<void> {}
