import { performance } from 'node:perf_hooks';

// SAMIA_STARTUP_TRACE=1: one stderr line per start-up milestone, the first time it is reached, in milliseconds since
// the process started (bench/scale/startup.bench.ts prints where the start goes). Unset: nothing is written.
const enabled = process.env.SAMIA_STARTUP_TRACE === '1';
const reached = new Set<string>();

export function startupMark(milestone: string): void {
  if (!enabled || reached.has(milestone)) return;
  reached.add(milestone);
  process.stderr.write(`[startup] ${performance.now().toFixed(0)} ${milestone}\n`);
}
