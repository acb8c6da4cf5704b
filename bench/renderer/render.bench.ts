// Renderer budgets (DESIGN §8), printed, never asserted:
//  - first paint of a session with 10,000 messages (virtualized list) vs the same list with 100 messages;
//  - drawing a 60-minute voice note from its stored peaks vs a 10-second note.
// Runs the real MessageList and wavesurfer.js in Debian's Chromium.   npx tsx bench/renderer/render.bench.ts
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../playwright.config';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95) };
};
const fmt = (n: number) => n.toFixed(2).padStart(8);

const bundle = await build({
  entryPoints: [path.resolve('bench/renderer/harness.tsx')],
  bundle: true,
  write: false,
  format: 'iife',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  minify: true,
  logLevel: 'silent',
});
const css = await readFile(path.resolve('src/renderer/styles/app.css'), 'utf8');

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.setContent(
    '<!doctype html><html><body><div style="display:flex;flex-direction:column;block-size:600px" id="root"></div><div id="wave" style="inline-size:600px"></div></body></html>',
  );
  await page.addStyleTag({ content: css });
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });

  const measure = async <T>(fn: () => Promise<T>) => {
    await fn(); // warm-up: JIT and first layout
    const out: T[] = [];
    for (let i = 0; i < RUNS; i++) out.push(await fn());
    return out;
  };
  type Paint = { ms: number; rows: number };
  const paint = (count: number) => page.evaluate((n) => (window as never as { bench: { paintList(n: number): Promise<Paint> } }).bench.paintList(n), count);
  const wave = (seconds: number, peaks: number) =>
    page.evaluate(([s, p]) => (window as never as { bench: { drawWave(s: number, p: number): Promise<number> } }).bench.drawWave(s, p), [seconds, peaks] as const);

  const small = await measure(() => paint(100));
  const large = await measure(() => paint(10_000));
  const s = stats(small.map((r) => r.ms));
  const l = stats(large.map((r) => r.ms));
  console.log(`first paint, virtualized message list (${RUNS} runs, ms)      median      p95   rows in DOM`);
  console.log(`  100 messages (baseline)                               ${fmt(s.median)} ${fmt(s.p95)}   ${small[0]!.rows}`);
  console.log(`  10,000 messages                                       ${fmt(l.median)} ${fmt(l.p95)}   ${large[0]!.rows}`);
  console.log(`  ratio 10,000 / 100 (median): ${(l.median / s.median).toFixed(2)}x   budget: first paint < 100 ms, not growing with history`);

  const short = stats(await measure(() => wave(10, 200)));
  const hour = stats(await measure(() => wave(3600, 200)));
  const dense = stats(await measure(() => wave(3600, 2048)));
  console.log(`\ndrawing a voice note from stored peaks (${RUNS} runs, ms)       median      p95`);
  console.log(`  10-second note, 200 peaks (baseline)                  ${fmt(short.median)} ${fmt(short.p95)}`);
  console.log(`  60-minute note, 200 peaks                             ${fmt(hour.median)} ${fmt(hour.p95)}`);
  console.log(`  60-minute note, 2,048 peaks (the stored maximum)      ${fmt(dense.median)} ${fmt(dense.p95)}`);
  console.log(`  ratio 60 min / 10 s (median): ${(hour.median / short.median).toFixed(2)}x   budget: < 50 ms`);
} finally {
  await browser.close();
}
