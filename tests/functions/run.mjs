// `npm run test:functions`: the Edge Functions under Deno (the project's own devDependency `deno`): each
// function's entry point is type-checked as Supabase deploys it, then `deno test` runs supabase/functions/tests
// against an embedded backend it starts. Closes with "functions: N passed, N failed" (steps of the Deno tests).
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const deno = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'deno.cmd' : 'deno');
const config = ['--config', 'supabase/functions/admin-accounts/deno.json'];

function run(args) {
  return new Promise((resolve) => {
    const child = spawn(deno, args, { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', (error) => {
      console.error(`could not start deno (${deno}): ${error.message}`);
      resolve({ code: 1, output });
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

let passed = 0;
let failed = 0;
const checked = await run(['check', ...config, 'supabase/functions/admin-accounts/index.ts']);
if (checked.code === 0) passed++;
else failed++;

const tested = await run(['test', '--allow-all', ...config, 'supabase/functions/tests/']);
// Deno's summary: "ok | 1 passed (11 steps) | 0 failed (3s)" or "FAILED | 0 passed (7 steps) | 1 failed (4 steps)".
const summary = /\|\s*(\d+) passed(?: \((\d+) steps?\))?\s*\|\s*(\d+) failed(?: \((\d+) steps?\))?/.exec(tested.output);
if (summary) {
  passed += Number(summary[2] ?? summary[1]);
  failed += Number(summary[4] ?? summary[3]);
}
if (tested.code !== 0 && (!summary || Number(summary[3]) === 0)) failed++;
console.log(`functions: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && tested.code === 0 && checked.code === 0 ? 0 : 1);
