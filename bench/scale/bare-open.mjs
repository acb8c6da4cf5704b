// The start-up benchmark's baseline: open the same PGlite and SQLite files the console opens, one query each, exit.
// Plain JS run by node itself, as the built web shell it is compared with: neither goes through a TypeScript loader.
import path from 'node:path';
import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';

const [dataDir, userId] = process.argv.slice(2);
if (!dataDir || !userId) throw new Error('usage: bare-open.mjs <data-dir> <user-id>');
const pg = await PGlite.create(path.join(dataDir, 'embedded', 'pgdata'));
const { rows } = await pg.query('select count(*)::int as n from public.chat_messages');
const sqlite = new Database(path.join(dataDir, 'users', userId, 'local.db'));
const cached = sqlite.prepare('select count(*) as n from cached_messages').get();
sqlite.close();
await pg.close();
console.log(JSON.stringify({ server: rows[0].n, cached: cached.n }));
