import type { SuiteContext } from './app-checks';
export async function runPackagedLayout(_context: SuiteContext, ..._rest: string[]): Promise<void> {}
