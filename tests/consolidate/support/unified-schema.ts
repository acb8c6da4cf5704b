// Applies the unified schema to a legacy-shaped database the way the live project gets it: the
// compatibility layer stands in for what the Supabase platform already provides there (roles,
// auth/storage/realtime helpers; it only adds what is missing), then every migration in order.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export async function applyUnifiedSchema(client: pg.Client): Promise<string[]> {
  const applied: string[] = [];
  for (const dir of ['supabase/compat', 'supabase/migrations']) {
    const files = readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.sql')).sort();
    for (const f of files) {
      const sql = readFileSync(path.join(ROOT, dir, f), 'utf8');
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        throw new Error(`${dir}/${f}: ${(e as Error).message}`);
      }
      applied.push(`${dir}/${f}`);
    }
  }
  return applied;
}
