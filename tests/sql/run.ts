// The SQL suite: every migration from zero, the RLS matrix, the workflows, the accounts, the read RPCs,
// the races, the change cursor, the live-shaped database and the platform-shaped one (--target supabase),
// on PGlite and on a real PostgreSQL 15 that it starts and stops itself.
// Usage: npx tsx tests/sql/run.ts [--engine pglite|pg15] [--verbose] [--write-privileges]
//   --write-privileges  rewrites tests/sql/expected/privileges.txt from the database (read the diff first)
import { applySchema } from '../../src/main/schema/index';
import { pgliteEngine, pg15Engine, type Engine } from './engines';
import { loadFixtures } from './fixtures';
import { runRlsMatrix, type CaseResult } from './rls-matrix';
import { runWorkflows } from './workflows';
import { runConcurrency } from './concurrency';
import { runLiveShape } from './live-shape';
import { ACCOUNT_WORKFLOWS } from './accounts';
import { READ_WORKFLOWS } from './reads';
import { NOTE_WORKFLOWS } from './notes';
import { PRESENCE_WORKFLOWS } from './presence';
import { WAITING_WORKFLOWS } from './waiting-clients';
import { FIGURES_WORKFLOWS } from './figures';
import { SEARCH_WORKFLOWS } from './search';
import { REVIEW_QUEUE_WORKFLOWS } from './review-queue';
import { runChanges } from './changes';
import { runPlatformShape } from './platform-shape';
import { runPlans } from './plans';
import { runFiguresPlans } from './figures-plans';
import { runAdversarial } from './adversarial';
import { writePrivileges } from './privileges';
import { REPLY_TRIAGE_WORKFLOWS } from './replies-triage';

const args = process.argv.slice(2);
const only = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : undefined;
const verbose = args.includes('--verbose');
const rewritePrivileges = args.includes('--write-privileges');

async function suite(db: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const t0 = performance.now();
  try {
    const r = await applySchema(db);
    results.push({
      name: `schema: ${r.compatApplied.length} compat files + ${r.migrationsApplied.length} migrations from zero (${Math.round(performance.now() - t0)} ms)`,
      ok: r.migrationsApplied.length > 0 && r.compatApplied.length > 0,
    });
    const again = await applySchema(db);
    results.push({
      name: 'schema: a second run applies nothing',
      ok: again.migrationsApplied.length === 0 && again.compatApplied.length === 0,
      detail: JSON.stringify(again),
    });
  } catch (error) {
    results.push({ name: 'schema: migrations from zero', ok: false, detail: error instanceof Error ? error.message : String(error) });
    return results;
  }
  if (rewritePrivileges) await writePrivileges(db);
  await loadFixtures(db);
  const matrix = await runRlsMatrix(db);
  results.push(...matrix);
  results.push(...(await runWorkflows(db)));
  results.push(...(await runWorkflows(db, ACCOUNT_WORKFLOWS, 'account')));
  results.push(...(await runWorkflows(db, READ_WORKFLOWS, 'read')));
  results.push(...(await runWorkflows(db, NOTE_WORKFLOWS, 'workflow')));
  results.push(...(await runWorkflows(db, PRESENCE_WORKFLOWS, 'presence')));
  results.push(...(await runWorkflows(db, WAITING_WORKFLOWS, 'waiting')));
  results.push(...(await runWorkflows(db, FIGURES_WORKFLOWS, 'figures')));
  results.push(...(await runWorkflows(db, SEARCH_WORKFLOWS, 'search')));
  results.push(...(await runWorkflows(db, REVIEW_QUEUE_WORKFLOWS)));
  results.push(...(await runWorkflows(db, REPLY_TRIAGE_WORKFLOWS, 'workflow')));
  results.push(...(await runAdversarial(db)));
  results.push(...(await runConcurrency(db)));
  // Commits its own rows: after everything that expects the fixtures as they were loaded.
  results.push(...(await runChanges(db)));
  const live = await db.freshDatabase('live_shape');
  try {
    results.push(...(await runLiveShape(live)));
  } finally {
    await live.close();
  }
  const platform = await db.freshDatabase('platform_shape');
  try {
    results.push(...(await runPlatformShape(platform)));
  } finally {
    await platform.close();
  }
  if (db.name === 'postgresql-15') results.push(...(await runPlans()));
  if (db.name === 'postgresql-15') results.push(...(await runFiguresPlans()));
  return results;
}

let passed = 0;
let failed = 0;
let skippedCases = 0;
const summary: string[] = [];
for (const engineName of ['pglite', 'pg15']) {
  if (only && only !== engineName) continue;
  const t = performance.now();
  let db: Engine;
  if (engineName === 'pglite') {
    db = pgliteEngine();
  } else {
    const e = await pg15Engine();
    if ('skipped' in e) {
      console.error(`\n[postgresql-15] cannot run: ${e.skipped}`);
      failed += 1;
      summary.push('postgresql-15: not run (binaries missing) - counted as 1 failure');
      continue;
    }
    db = e;
  }
  let results: CaseResult[] = [];
  try {
    results = await suite(db);
  } catch (error) {
    results.push({ name: 'suite crashed', ok: false, detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    await db.close();
  }
  const ok = results.filter((r) => r.ok && !r.skipped).length;
  const skipped = results.filter((r) => r.skipped);
  const bad = results.filter((r) => !r.ok);
  const rls = results.filter((r) => r.name.startsWith('rls '));
  const sections = ['schema', 'rls', 'workflow', 'account', 'read', 'presence', 'waiting', 'figures', 'search', 'adversarial', 'race', 'changes', 'live-shaped', 'platform-shaped'];
  const counts = sections.map((s) => `${results.filter((r) => r.name.startsWith(`${s} `) || r.name.startsWith(`${s}:`)).length} ${s}`);
  console.log(`\n[${db.name}] ${results.length} cases (${counts.join(', ')}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  for (const r of results) {
    if (!r.ok) console.log(`  FAIL ${r.name}\n       ${r.detail}`);
    else if (r.skipped) console.log(`  SKIP ${r.name}\n       ${r.skipped}`);
    else if (verbose || !(r.name.startsWith('rls ') || r.name.startsWith('adversarial '))) console.log(`  ok   ${r.name}`);
  }
  const adversarial = results.filter((r) => r.name.startsWith('adversarial '));
  summary.push(`${db.name}: ${ok} passed, ${bad.length} failed (RLS matrix: ${rls.filter((r) => r.ok).length}/${rls.length}, adversarial: ${adversarial.filter((r) => r.ok).length}/${adversarial.length})${skipped.length > 0 ? `, ${skipped.length} not run here` : ''}`);
  passed += ok;
  failed += bad.length;
  skippedCases += skipped.length;
}
console.log('');
for (const s of summary) console.log(s);
console.log(`${passed} passed, ${failed} failed, ${skippedCases} skipped`);
process.exit(failed > 0 ? 1 : 0);
