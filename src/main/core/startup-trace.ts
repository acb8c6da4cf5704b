import { performance } from 'node:perf_hooks';

// SAMIA_STARTUP_TRACE=1: one stderr line per start-up milestone, the first time it is reached, in milliseconds since
// the process started (bench/scale/startup.bench.ts prints where the start goes). Unset: nothing is written.
// The embedded backend's worker thread marks its milestones too, on the process's clock: a thread's own
// performance.now() counts from the thread's start, so the first thread to load this module leaves its origin in
// the environment, which the threads it starts are given a copy of.
const enabled = process.env.SAMIA_STARTUP_TRACE === '1';
const reached = new Set<string>();
// The origin is tagged with the process id: one inherited from a parent process is not this process's.
const inherited = /^(\d+):(.+)$/.exec(process.env.SAMIA_STARTUP_ORIGIN ?? '');
const origin = inherited && Number(inherited[1]) === process.pid ? Number(inherited[2]) : performance.timeOrigin;
if (enabled) process.env.SAMIA_STARTUP_ORIGIN = `${process.pid}:${origin}`;
const offset = enabled ? performance.timeOrigin - origin : 0;

export function startupMark(milestone: string): void {
  if (!enabled || reached.has(milestone)) return;
  reached.add(milestone);
  process.stderr.write(`[startup] ${(offset + performance.now()).toFixed(0)} ${milestone}\n`);
}
