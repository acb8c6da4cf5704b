// A working day, compressed (issue 15 item 2): one reader's console with BENCH_DAY_SESSIONS open sessions while
// BENCH_DAY_HOURS of traffic are replayed at BENCH_DAY_SPEED x: each session's client sends a message about every
// two minutes of day time, the console opens another session every ten minutes (its page of history from the
// cache and the server; at most three tabs, the oldest closed), and an emergency is raised, accepted and resolved every hour. Every second: RSS and JS
// heap of the main process, the renderer's JS heap, DOM nodes and event listeners (Chromium's Performance
// domain, after a collection in both), the realtime channels the server holds, and the local message cache and audio cache. Baseline: the
// first sample after the warm-up (the first 10 % of the run); goal: growth after warm-up under 10 %, the caches
// within their caps, channels and listeners constant. The table compares two single samples; the goal line compares
// the medians of the first and the last hour of day time after warm-up, as one sample of a heap collected while a
// message is being drawn or a note decoded moves by a few per cent (the renderer's heap is 7 MiB: 0.1 MiB is 1.5 %).
// Plot: bench/results/day-memory.png.
// The default is the issue's full day: 8 hours (9.6 minutes at 50x); a quicker look: BENCH_DAY_HOURS=2 (2.4 minutes).
// Also replayed: clients typing, and a reader's voice notes, each approved through the console and played (so the
// audio cache fills).        npx electron-vite build && npx tsx bench/scale/day.bench.ts
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { envInt, seedSessions } from '../../tests/support/scale-seed';
import { sample as mediaSample } from '../../tests/support/media-samples';
import { PASSWORD, pct, startConsoleHarness } from './console-harness';
import { DEFAULT_AUDIO_CACHE_BYTES, DEFAULT_MESSAGES_PER_SESSION } from '../../src/main/store';
import { MAX_SESSION_CHANNELS } from '../../src/main/backend/supabase-connection';

const SESSIONS = envInt('BENCH_DAY_SESSIONS', 30);
const HOURS = envInt('BENCH_DAY_HOURS', 8);
const SPEED = envInt('BENCH_DAY_SPEED', 50);
const runSeconds = (HOURS * 3600) / SPEED;
const dayMs = (dayMinutes: number) => (dayMinutes * 60_000) / SPEED;

interface Sample {
  t: number;
  mainRss: number;
  mainHeap: number;
  rendererHeap: number;
  nodes: number;
  listeners: number;
  channels: number;
  cached: number;
  cachedPerSession: number;
  audioBytes: number;
}

// The backend's database in a data folder, as the product keeps it: in memory its files would grow the process's RSS
// with every message stored, which is the database's size, not the console's memory.
const harness = await startConsoleHarness({ emergencySweepMs: 1000, databaseOnDisk: true });
const samples: Sample[] = [];
let sent = 0;
let emergencies = 0;
let reviews = 0;
const failures: string[] = [];
try {
  const seeded = await seedSessions(harness.database.db, { staffId: harness.ownerId, sessions: SESSIONS, messages: SESSIONS * 50 });
  const { page, cdp } = await harness.openSignedIn(SESSIONS);
  // The realtime server's joined channels, read through its private map: a benchmark's look inside, not an API.
  const realtime = (harness.backend as unknown as { server: { server: { options: { realtime: { byTopic: Map<string, Set<unknown>> } } } } }).server.server.options.realtime;
  const channels = () => [...realtime.byTopic.values()].reduce((n, set) => n + set.size, 0);
  const localDb = new Database(path.join(harness.dataDir, 'users', harness.ownerId, 'local.db'), { readonly: true });
  const count = localDb.prepare('select count(*) as n from cached_messages');
  const perSession = localDb.prepare('select coalesce(max(n), 0) as n from (select count(*) as n from cached_messages group by session_id)');
  const audio = localDb.prepare('select coalesce(sum(size_bytes), 0) as n from audio_cache');
  // The reader on duty: answers emergencies, records voice notes in a few sessions.
  await harness.owner.createAccount({ email: 'reader@bench.test', password: PASSWORD, displayName: 'Reader', role: 'reader', preferredLanguage: 'en' });
  const reader = await harness.backend.signIn('reader@bench.test', PASSWORD);
  const started = performance.now();
  const end = started + runSeconds * 1000;
  const timers: NodeJS.Timeout[] = [];

  // Retained memory is what grows or not: both heaps are collected before each sample.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const sample = async () => {
    gc();
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? NaN;
    const mem = process.memoryUsage();
    samples.push({
      t: (performance.now() - started) / 1000,
      mainRss: mem.rss / 2 ** 20,
      mainHeap: mem.heapUsed / 2 ** 20,
      rendererHeap: m('JSHeapUsedSize') / 2 ** 20,
      nodes: m('Nodes'),
      listeners: m('JSEventListeners'),
      channels: channels(),
      cached: (count.get() as { n: number }).n,
      cachedPerSession: (perSession.get() as { n: number }).n,
      audioBytes: (audio.get() as { n: number }).n,
    });
  };
  const inFlight = new Set<Promise<unknown>>();
  const every = (ms: number, fn: () => Promise<unknown>) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const run = fn()
        .catch((error: unknown) => failures.push(String(error).split('\n')[0]!))
        .finally(() => {
          busy = false;
          inFlight.delete(run);
        });
      inFlight.add(run);
    }, ms);
    timers.push(timer);
  };
  // Messages: every session's client about every 2 minutes of day time, spread out.
  every(dayMs(2) / SESSIONS, async () => {
    const target = seeded[sent++ % seeded.length]!;
    await harness.database.asRequest({ role: 'authenticated', sub: target.clientId }, (sql) =>
      sql.query(`select id from public.send_message($1::uuid, 'text', $2::uuid, $3)`, [target.sessionId, randomUUID(), `day message ${sent}`]),
    );
  });
  // The reader moves to another session every ten minutes of day time.
  let opened = 0;
  every(dayMs(10), async () => {
    // A DOM click: the emergency alert's backdrop may be up, and the reader would answer it first.
    // A reader keeps a few tabs open: the oldest is closed when a fourth would open.
    const closers = page.locator('.session-tabs .icon-button');
    if ((await closers.count()) >= 3) await closers.first().dispatchEvent('click');
    await page.locator('[data-testid="session-item"]').nth(opened++ % SESSIONS).dispatchEvent('click');
  });
  // An emergency an hour: raised by a client, accepted and resolved by the console's user a little later.
  // The reader on duty who accepts (admins may resolve, but only readers accept).

  await reader.setAvailability('online', true);
  every(dayMs(60), async () => {
    const target = seeded[emergencies++ % seeded.length]!;
    const { rows } = await harness.database.asRequest({ role: 'authenticated', sub: target.clientId }, (sql) =>
      sql.query<{ id: string }>('select id from public.request_emergency()'),
    );
    await new Promise((resolve) => setTimeout(resolve, dayMs(2)));
    await reader.acceptEmergency(rows[0]!.id);
    await harness.owner.resolveEmergency(rows[0]!.id, 'handled during the benchmark day');
  });
  // Typing: a client of one of the sessions types about every 30 seconds of day time (the console hears it on the
  // typing topics of the sessions it has open; the rest is dropped by the server).
  every(dayMs(0.5), async () => {
    const target = seeded[Math.floor(Math.random() * seeded.length)]!;
    await harness.database.asRequest({ role: 'authenticated', sub: target.clientId }, (sql) => sql.query('select public.broadcast_typing($1::uuid)', [target.sessionId]));
  });
  // Voice notes and reviews: the reader (assigned to a few sessions) records a note every 20 minutes of day time;
  // it waits for review; the console's user approves it through the console a few minutes later and listens to it
  // (the audio cache fills, within its cap).
  const readerSessions = seeded.slice(0, 5);
  for (const s of readerSessions) await harness.owner.assignReader(s.sessionId, reader.userId);
  const voice = mediaSample('voice.webm');
  const core = harness.cores.at(-1)!;
  let notes = 0;
  every(dayMs(20), async () => {
    const target = readerSessions[notes++ % readerSessions.length]!;
    const id = randomUUID();
    const storagePath = `${target.sessionId}/${id}/note.webm`;
    await reader.uploadFile(storagePath, voice, 'audio/webm');
    const note = await reader.sendMessage({
      sessionId: target.sessionId,
      clientMessageId: id,
      type: 'audio',
      file: { storagePath, mimeType: 'audio/webm', sizeBytes: voice.byteLength, durationMs: 1500, waveform: [0.2, 0.7, 0.4] },
    });
    await new Promise((resolve) => setTimeout(resolve, dayMs(3)));
    const decided = await core.dispatch('reviews.decide', { messageId: note.id, decision: 'approve' }, { origin: 'bench' });
    if (!decided.ok) throw new Error(`review refused: ${decided.error.code}`);
    reviews++;
    await core.mediaFile(storagePath);
  });
  while (performance.now() < end) {
    await sample();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  for (const timer of timers) clearInterval(timer);
  // What was under way finishes before anyone signs out.
  await Promise.all([...inFlight]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await sample();
  localDb.close();
  await reader.signOut();
} finally {
  await harness.close();
}

// Warm-up: the first 10 % of the run, and at least until the reader has the three tabs they keep (the third opens
// 30 minutes of day time in): growth is measured over the day's steady state, not over opening the first tabs.
const warmUpSeconds = Math.max(runSeconds * 0.1, dayMs(35) / 1000);
const warm = samples.find((s) => s.t >= warmUpSeconds) ?? samples[0]!;
const last = samples.at(-1)!;
const peak = (key: keyof Sample) => Math.max(...samples.filter((s) => s.t >= warm.t).map((s) => s[key]));
const change = (from: number, to: number) => ((to - from) / from) * 100;
const growth = (key: keyof Sample) => change(warm[key], last[key]);
// The goal line's figures: medians of the first and the last hour of day time after warm-up (single samples move with
// what is being drawn at that moment, as the header says).
const hourSeconds = 3600 / SPEED;
const trend = (key: keyof Sample) => {
  const first = pct(samples.filter((s) => s.t >= warm.t && s.t < warm.t + hourSeconds).map((s) => s[key]), 50);
  const final = pct(samples.filter((s) => s.t > last.t - hourSeconds).map((s) => s[key]), 50);
  return { first, final, growth: change(first, final) };
};
console.log(
  `working day: ${HOURS} h at ${SPEED}x (${runSeconds.toFixed(0)} s), ${SESSIONS} sessions, ${sent} messages, ${reviews} voice notes recorded, reviewed and played, ${emergencies} emergencies, typing every ${(dayMs(0.5) / 1000).toFixed(1)} s, ${samples.length} samples (1/s)`,
);
console.log(`                                   after warm-up (${warm.t.toFixed(0)} s)      end     peak   growth   goal`);
const line = (label: string, key: keyof Sample, unit: string, goal: string) =>
  console.log(
    `  ${label.padEnd(32)} ${warm[key].toFixed(1).padStart(12)} ${unit} ${last[key].toFixed(1).padStart(8)} ${peak(key).toFixed(1).padStart(8)} ${growth(key).toFixed(1).padStart(7)} %   ${goal}`,
  );
if (failures.length > 0) console.log(`  ${failures.length} replayed actions failed, first: ${failures[0]}`);
line('main process RSS', 'mainRss', 'MiB', '< 10 %');
line('main process JS heap', 'mainHeap', 'MiB', '< 10 %');
line('renderer JS heap', 'rendererHeap', 'MiB', '< 10 %');
line('renderer DOM nodes', 'nodes', '   ', '');
line('renderer event listeners', 'listeners', '   ', 'constant');
line('realtime channels (server)', 'channels', '   ', `constant (bounded: fixed topics + ${MAX_SESSION_CHANNELS} typing)`);
line('local message cache (rows)', 'cached', '   ', 'grows with the day, within the cap per session:');
line('  the fullest session (rows)', 'cachedPerSession', '   ', `<= ${DEFAULT_MESSAGES_PER_SESSION} (cap) + the writes between two trims`);
line('audio cache (bytes)', 'audioBytes', '   ', `<= ${DEFAULT_AUDIO_CACHE_BYTES} (cap)`);
console.log('  medians of the first / last hour after warm-up:');
for (const [label, key] of [['main process RSS (MiB)', 'mainRss'], ['main process JS heap (MiB)', 'mainHeap'], ['renderer JS heap (MiB)', 'rendererHeap'], ['renderer DOM nodes', 'nodes'], ['renderer event listeners', 'listeners']] as const) {
  const { first, final, growth } = trend(key);
  console.log(`    ${label.padEnd(30)} ${first.toFixed(1).padStart(10)} / ${final.toFixed(1).padEnd(10)} ${growth.toFixed(1).padStart(6)} %`);
}
// Listeners constant: the last hour's median within 5 % of the first's. Nodes have no goal: each sidebar row gains its
// unread badge and its wait as the day goes on, at most once per row.
const memoryMet = (['mainRss', 'mainHeap', 'rendererHeap'] as const).every((key) => trend(key).growth < 10);
const listenersMet = Math.abs(trend('listeners').growth) < 5;
// A tab closed before the next one opens leaves its typing channel first: one fewer for a moment is not growth.
const channelsMet = peak('channels') <= warm.channels && last.channels === warm.channels;
const cachesMet = samples.every((s) => s.audioBytes <= DEFAULT_AUDIO_CACHE_BYTES && s.cachedPerSession <= DEFAULT_MESSAGES_PER_SESSION);
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
console.log(`  goal: memory growth < 10 % ${verdict(memoryMet)}, listeners constant ${verdict(listenersMet)}, channels constant ${verdict(channelsMet)}, caches within their caps ${verdict(cachesMet)}`);

// The plot: an SVG drawn in Chromium and saved as a PNG (no plotting library needed).
const W = 960;
const H = 420;
const pad = 50;
const series: { key: keyof Sample; color: string; label: string }[] = [
  { key: 'mainRss', color: '#c0392b', label: 'main RSS (MiB)' },
  { key: 'mainHeap', color: '#2980b9', label: 'main JS heap (MiB)' },
  { key: 'rendererHeap', color: '#27ae60', label: 'renderer JS heap (MiB)' },
];
// Each series as a share of its value after the warm-up, so that three sizes (hundreds of MiB and a few) share one
// scale and the goal (growth under 10 %) is a line: 110 %.
const share = (p: Sample, key: keyof Sample) => (100 * p[key]) / warm[key];
const shares = samples.flatMap((p) => series.map((x) => share(p, x.key)));
const minY = Math.min(80, Math.floor(Math.min(...shares) / 10) * 10);
const maxY = Math.max(130, Math.ceil(Math.max(...shares) / 10) * 10);
const span = Math.max(runSeconds, last.t);
const x = (t: number) => pad + (t / span) * (W - 2 * pad);
const y = (v: number) => H - pad - ((v - minY) / (maxY - minY)) * (H - 2 * pad);
const paths = series
  .map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${samples.map((p) => `${x(p.t).toFixed(1)},${y(share(p, s.key)).toFixed(1)}`).join(' ')}"/>`)
  .join('');
const legend = series
  .map((s, i) => `<text x="${pad + 10 + i * 290}" y="${pad - 10}" fill="${s.color}" font-size="14">${s.label}: ${warm[s.key].toFixed(1)} → ${last[s.key].toFixed(1)}</text>`)
  .join('');
const ticks = Array.from({ length: (maxY - minY) / 10 + 1 }, (_, i) => minY + i * 10)
  .map(
    (v) =>
      `<text x="${pad - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v} %</text><line x1="${pad}" x2="${W - pad}" y1="${y(v)}" y2="${y(v)}" stroke="${v === 110 ? '#e67e22' : '#eee'}"${v === 110 ? ' stroke-dasharray="6"' : ''}/>`,
  )
  .join('');
const hoursTicks = Array.from({ length: HOURS + 1 }, (_, h) => `<text x="${x((h * 3600) / SPEED)}" y="${H - pad + 18}" font-size="11" text-anchor="middle">${h} h</text>`).join('');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" style="background:#fff;font-family:sans-serif">
<text x="${W / 2}" y="18" font-size="13" text-anchor="middle">Memory over a ${HOURS}-hour day at ${SPEED}x (${SESSIONS} sessions, ${sent} messages), as a share of the value after warm-up; goal under 110 %</text>
${ticks}${hoursTicks}<line x1="${x(warm.t)}" x2="${x(warm.t)}" y1="${pad}" y2="${H - pad}" stroke="#999" stroke-dasharray="4"/>
<text x="${x(warm.t) + 4}" y="${H - pad - 6}" font-size="11" fill="#666">end of warm-up</text>${paths}${legend}</svg>`;
const { chromium } = await import('@playwright/test');
const { CHROMIUM_ARGS, CHROMIUM_PATH } = await import('../../playwright.config');
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
try {
  const page = await browser.newPage({ viewport: { width: W, height: H } });
  await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
  await mkdir(path.resolve('bench/results'), { recursive: true });
  const file = path.resolve('bench/results/day-memory.png');
  await page.screenshot({ path: file, clip: { x: 0, y: 0, width: W, height: H } });
  console.log(`  plot: ${path.relative(process.cwd(), file)}`);
} finally {
  await browser.close();
}
