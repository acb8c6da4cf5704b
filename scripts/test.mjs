// `npm test`: every tier, in order, against real parts. Each tier runs even when an earlier one failed,
// so one run shows everything that is wrong; the exit code is non-zero if anything failed.
// The closing line counts the test cases of every tier ("total: N passed, N failed, N skipped").
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { npm, tool } from './node-tools.mjs';
const reports = path.resolve('.tmp/test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

// eslint-disable-next-line no-control-regex -- stripping terminal colour codes is the point
const ANSI = /\u001b\[[0-9;]*m/g;
const none = () => ({ passed: 0, failed: 0, skipped: 0 });

/** Reads the last "N passed, N failed[, N skipped]" line a tier printed. */
const lastSummaryLine = (output) => {
  const matches = [...output.replace(ANSI, '').matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)];
  const last = matches.at(-1);
  return last ? { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3] ?? 0) } : null;
};

const vitestCounts = (file) => () => {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
};

const playwrightCounts = (file) => () => {
  const { stats } = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped };
};

const tiers = [
  { name: 'system packages', cmd: [process.execPath, ['scripts/ensure-system-packages.mjs', 'chromium', 'postgresql-15', 'postgresql-client-15', 'postgresql-15-pgtap'], {}] },
  { name: 'typecheck', cmd: npm(['run', '--silent', 'typecheck']) },
  { name: 'lint', cmd: npm(['run', '--silent', 'lint']) },
  {
    name: 'unit (vitest)',
    cmd: tool('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/vitest.json`]),
    counts: vitestCounts(`${reports}/vitest.json`),
  },
  { name: 'generated database types are current', cmd: npm(['run', '--silent', 'db:types:check']) },
  { name: 'SQL suite (PGlite and PostgreSQL 15)', cmd: npm(['run', '--silent', 'test:sql']) },
  {
    name: 'local Supabase and backend contract (supabase-js)',
    cmd: tool('vitest', ['run', '--config', 'tests/supabase/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/supabase.json`]),
    counts: vitestCounts(`${reports}/supabase.json`),
  },
  // The Edge Functions under Deno (supabase/functions), against an embedded backend the tier starts.
  { name: 'Edge Functions (Deno)', cmd: npm(['run', '--silent', 'test:functions']) },
  {
    name: 'legacy consolidation (PostgreSQL 15)',
    cmd: tool('vitest', ['run', '--config', 'tests/consolidate/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/consolidate.json`]),
    counts: vitestCounts(`${reports}/consolidate.json`),
  },
  { name: 'outbox crash test (SIGKILL at random points)', cmd: npm(['run', '--silent', 'test:crash']) },
  { name: 'outbox fault test (dropped, delayed, failed calls)', cmd: npm(['run', '--silent', 'test:fault']) },
  // The Electron shell: the built main process under a stand-in for Electron, out/ tree and packaged app.asar.
  { name: 'desktop (Electron shell, both layouts)', cmd: npm(['run', '--silent', 'test:desktop']) },
  {
    name: 'end-to-end (Playwright, web shell in Chromium)',
    cmd: npm(['run', '--silent', 'test:e2e', '--', '--reporter=list,json']),
    env: { PLAYWRIGHT_JSON_OUTPUT_FILE: `${reports}/playwright.json` },
    counts: playwrightCounts(`${reports}/playwright.json`),
  },
];

function run(tier) {
  return new Promise((resolve) => {
    const started = Date.now();
    const [command, args, options] = tier.cmd;
    console.log(`\n━━ ${tier.name} ━━ ${[path.basename(command), ...args].join(' ')}`);
    const child = spawn(command, args, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...tier.env, FORCE_COLOR: process.env.CI ? '0' : '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    let finished = false;
    const finish = (code) => {
      if (finished) return;
      finished = true;
      let counts = none();
      try {
        counts = tier.counts ? tier.counts() : (lastSummaryLine(output) ?? none());
      } catch {
        // A tier that died before writing its report counts through its exit code alone.
      }
      resolve({ name: tier.name, ok: code === 0, seconds: (Date.now() - started) / 1000, ...counts });
    };
    // A tool that cannot be started at all (missing, refused by the OS) says so instead of failing silently.
    child.on('error', (error) => {
      console.error(`${tier.name}: could not start ${command}: ${error.message}`);
      finish(1);
    });
    child.on('close', (code) => finish(code));
  });
}

const results = [];
for (const tier of tiers) results.push(await run(tier));

console.log('\n━━ summary ━━');
for (const r of results) {
  const cases = r.passed + r.failed + r.skipped > 0 ? ` ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped` : '';
  console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(48)} ${r.seconds.toFixed(1).padStart(6)} s${cases}`);
}
// A tier that failed without counting cases (type errors, lint) still counts as one failure.
const total = results.reduce(
  (sum, r) => ({
    passed: sum.passed + r.passed,
    failed: sum.failed + r.failed + (!r.ok && r.failed === 0 ? 1 : 0),
    skipped: sum.skipped + r.skipped,
  }),
  none(),
);
console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
