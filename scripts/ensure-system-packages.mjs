// Installs the Debian packages the tests need when they are missing (CI machines start bare).
// Usage: node scripts/ensure-system-packages.mjs chromium postgresql-15 postgresql-15-pgtap
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// How to tell each package is usable without asking dpkg about every file.
const PROBES = {
  chromium: () => existsSync('/usr/bin/chromium'),
  'postgresql-15': () => existsSync('/usr/lib/postgresql/15/bin/postgres') && existsSync('/usr/lib/postgresql/15/bin/initdb'),
  'postgresql-client-15': () => existsSync('/usr/lib/postgresql/15/bin/pg_dump'),
  'postgresql-15-pgtap': () => existsSync('/usr/share/postgresql/15/extension/pgtap.control'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in PROBES));
if (unknown.length > 0) {
  console.error(`ensure-system-packages: no probe for ${unknown.join(', ')}`);
  process.exit(2);
}
const missing = wanted.filter((name) => !PROBES[name]());
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!hasApt) {
  console.error(`Missing system packages: ${missing.join(', ')}. Install them with your package manager (Debian names given).`);
  process.exit(1);
}
const sudo = isRoot ? [] : ['sudo', '-n'];
const run = (args) => execFileSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
});
console.log(`Installing Debian packages: ${missing.join(' ')}`);
try {
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
} catch {
  console.error(`Could not install ${missing.join(', ')}${isRoot ? '' : ' (not root and no passwordless sudo)'}: install them, then run again.`);
  process.exit(1);
}
const stillMissing = missing.filter((name) => !PROBES[name]());
if (stillMissing.length > 0) {
  console.error(`Still missing after installation: ${stillMissing.join(', ')}`);
  process.exit(1);
}
