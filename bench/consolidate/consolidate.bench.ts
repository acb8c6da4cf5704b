// Benchmark: the consolidation on ~100,000 legacy messages and ~10,000 voice notes on PostgreSQL 15.
// Prints rows per second per phase, and the ratio to a same-run baseline: a bare
// INSERT ... SELECT of the same 100,000 messages into chat_messages (no mapping, no audit, no files).
// Figures only; nothing here asserts a time.
import { baseArgs, cli, Harness } from '../../tests/consolidate/support/harness.ts';
import type { Report } from '../../tools/consolidate/run.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const VOICE_NOTES = Number(process.env.BENCH_VOICE_NOTES ?? 10_000);

async function main() {
  const h = new Harness();
  await h.start();
  try {
    const perBooking = 10;
    const bookings = Math.round(MESSAGES / perBooking);
    // About 80% of voice messages also have a voice_notes row (the duplicate trap).
    const voiceShare = VOICE_NOTES / 0.8 / MESSAGES;
    const t0 = performance.now();
    const tmpl = await h.template({ seed: 2025, bookings, messagesPerBooking: perBooking, voiceShare });
    const s = await h.scenario(tmpl);
    const fill = performance.now() - t0;
    const c = tmpl.facts.counts;
    const sourceRows = c.messages + c.voiceNotes + c.approvals + c.legacyMessages + c.legacySessions + c.bookings;
    console.log(`legacy data: ${c.messages} messages, ${c.voiceNotes} voice notes, ${c.approvals} approvals, ${c.legacyMessages} legacy chat_messages, `
      + `${c.legacySessions} legacy sessions, ${c.bookings} bookings (${sourceRows} source rows) — built in ${(fill / 1000).toFixed(1)} s`);

    // Baseline: the cheapest possible copy of the same messages, in a scratch database.
    const base = await h.scenario(tmpl);
    const baseline = await h.admin(async (db) => {
      await db.query('begin');
      await db.query(`create temp table b_sessions as select id from public.bookings`);
      await db.query(`insert into chat_sessions (id, type, booking_id) select id, 'booking', id from public.bookings`);
      const b0 = performance.now();
      await db.query(`alter table chat_messages disable trigger user`);
      const r = await db.query(`insert into chat_messages (id, session_id, sender_id, type, body, created_at)
        select m.id, m.booking_id, null, 'text', m.content, m.created_at from public.messages m where exists (select 1 from public.bookings b where b.id = m.booking_id)`);
      const ms = performance.now() - b0;
      await db.query('rollback');
      return { rows: r.rowCount ?? 0, ms };
    }, base.db);
    const baselineRate = baseline.rows / (baseline.ms / 1000);
    console.log(`baseline (bare INSERT … SELECT of messages): ${baseline.rows} rows in ${baseline.ms.toFixed(0)} ms = ${baselineRate.toFixed(0)} rows/s`);

    const d0 = performance.now();
    const dry = await cli([...baseArgs(s), '--dry-run', '--json']);
    const dryMs = performance.now() - d0;
    const dryReport = JSON.parse(dry.stdout) as Report;
    console.log(`dry run: ${dryReport.outcome} in ${dryMs.toFixed(0)} ms = ${(sourceRows / (dryMs / 1000)).toFixed(0)} source rows/s`);

    const r0 = performance.now();
    const res = await cli([...baseArgs(s), '--json']);
    const runMs = performance.now() - r0;
    if (res.code !== 0) throw new Error(`consolidation failed: ${res.stderr}`);
    const report = JSON.parse(res.stdout) as Report;
    const written = report.written!;
    console.log(`run: ${report.outcome}: ${written.messages} messages, ${written.sessions} sessions, ${written.participants} participants, `
      + `${written.audit} audit rows, ${report.plan.filesToCopy} files copied and verified`);
    console.log(`  phases (ms): ${Object.entries(report.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const dbMs = (report.timings.stage ?? 0) + (report.timings.plan ?? 0) + (report.timings.write ?? 0) + (report.timings.verify ?? 0);
    console.log(`  end to end: ${(runMs / 1000).toFixed(1)} s = ${(sourceRows / (runMs / 1000)).toFixed(0)} source rows/s `
      + `(${(written.messages / (runMs / 1000)).toFixed(0)} messages/s)`);
    console.log(`  database work only (stage + plan + write + verify): ${dbMs} ms = ${(written.messages / (dbMs / 1000)).toFixed(0)} messages/s, `
      + `${((written.messages / (dbMs / 1000)) / baselineRate).toFixed(2)}× the bare-insert baseline rate`);
    console.log(`  write phase only: ${(written.messages / ((report.timings.write ?? 1) / 1000)).toFixed(0)} messages/s = `
      + `${((written.messages / ((report.timings.write ?? 1) / 1000)) / baselineRate).toFixed(2)}× baseline`);

    const n0 = performance.now();
    const again = await cli([...baseArgs(s), '--json']);
    console.log(`second run: ${(JSON.parse(again.stdout) as Report).outcome} in ${(performance.now() - n0).toFixed(0)} ms`);
  } finally {
    await h.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
