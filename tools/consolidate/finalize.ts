// --finalize: drops the consolidated legacy tables and removes the original objects and old
// buckets — only once a fresh run proves everything is carried over, the copies in chat-files
// still match their checksums, and a fresh backup (with the bytes of every object about to be
// removed) is on disk. Never CASCADE: anything else that depends on a legacy table stops it.
import type pg from 'pg';
import { takeBackup } from './backup.ts';
import { OLD_BUCKETS, TARGET_BUCKET } from './file-refs.ts';
import { consolidate, formatReport } from './run.ts';
import { relationExists } from './sources.ts';
import { sha256, type StoragePort } from './storage.ts';

export const DROPPABLE_TABLES = ['public.voice_note_approvals', 'public.voice_notes', 'public.messages', 'legacy.chat_messages', 'legacy.chat_sessions', 'legacy.chat_participants'];
/** Legacy tables the consolidation does not carry over; finalize leaves them alone. */
export const KEPT_LEGACY_TABLES = ['legacy.emergency_calls'];

export interface FinalizeOptions { dbUrl: string; backupDir: string; storage: StoragePort; dryRun: boolean; log: (s: string) => void }
export interface FinalizeResult { ok: boolean; text: string; json: unknown }

export async function finalize(client: pg.Client, o: FinalizeOptions): Promise<FinalizeResult> {
  const lines: string[] = [];
  const refuse = (why: string, extra: unknown = {}): FinalizeResult => ({ ok: false, text: [...lines, `REFUSED: ${why}`, 'Nothing was dropped or removed.'].join('\n'), json: { ok: false, refused: why, ...(extra as object) } });

  if (!(await relationExists(client, 'consolidation.runs'))) return refuse('no consolidation run is recorded: run the consolidation first');
  const runs = Number((await client.query<{ n: string }>(`select count(*) n from consolidation.runs where kind = 'consolidate'`)).rows[0]!.n);
  if (!runs) return refuse('no consolidation run is recorded: run the consolidation first');

  // 1. Everything must already be consolidated: a dry run must find nothing left to do.
  const check = await consolidate(client, { dbUrl: o.dbUrl, dryRun: true, backupDir: o.backupDir, storage: o.storage, allowQuarantine: false, allowMissingFiles: false, log: o.log });
  if (check.outcome !== 'nothing-to-do') {
    return refuse(`the legacy tables still hold rows that are not consolidated (${check.plan.messagesToCreate} messages, ${check.plan.sessionsToCreate} sessions, ${check.plan.filesToCopy} files): run the consolidation again first`, { check: formatReport(check) });
  }
  lines.push('verification: every legacy row is consolidated');

  // 2. The copies in chat-files must still be what was verified when they were made.
  const copies = (await client.query<{ src_bucket: string; src_path: string; dest_path: string; size_bytes: string; sha256: string }>(
    `select src_bucket, src_path, dest_path, size_bytes, sha256 from consolidation.storage_copies where removed_at is null`)).rows;
  const dest = await o.storage.list(TARGET_BUCKET);
  const bad: string[] = [];
  for (const c of copies) {
    const d = dest.get(c.dest_path);
    if (!d || d.size !== Number(c.size_bytes) || sha256(await o.storage.read(TARGET_BUCKET, c.dest_path)) !== c.sha256) bad.push(c.dest_path);
  }
  if (bad.length) return refuse(`${bad.length} copied object(s) in chat-files are missing or changed: ${bad.slice(0, 10).join(', ')}`, { bad });
  lines.push(`storage: ${copies.length} copies in chat-files match their recorded size and sha256`);

  // 3. Nothing outside the drop set may depend on it.
  const present: string[] = [];
  for (const t of DROPPABLE_TABLES) if (await relationExists(client, t)) present.push(t);
  if (present.length) {
    const deps = (await client.query<{ what: string }>(`
      with s as (select unnest($1::text[])::regclass as r)
      select format('foreign key %s on %s references %s', c.conname, c.conrelid::regclass, c.confrelid::regclass) what
      from pg_constraint c where c.contype = 'f' and c.confrelid in (select r from s) and c.conrelid not in (select r from s)
      union
      select format('view %s depends on %s', v.ev_class::regclass, d.refobjid::regclass)
      from pg_depend d join pg_rewrite v on v.oid = d.objid
      where d.classid = 'pg_rewrite'::regclass and d.refobjid in (select r from s) and v.ev_class not in (select r from s)`, [present])).rows;
    if (deps.length) return refuse(`other objects depend on the legacy tables (resolve them by hand; no CASCADE): ${deps.map((d) => d.what).join('; ')}`, { dependents: deps });
  }

  // Originals to remove: sources of verified copies that are not themselves a destination.
  const destSet = new Set(copies.map((c) => c.dest_path));
  const originals = new Map<string, Set<string>>();
  for (const c of copies) {
    if (c.src_bucket === TARGET_BUCKET && destSet.has(c.src_path)) continue;
    // Only the old chat buckets are the consolidation's to empty: a message that pointed at, say,
    // an avatar got a copy, but the avatar stays where the rest of the platform expects it.
    if (!(OLD_BUCKETS as readonly string[]).includes(c.src_bucket)) continue;
    if (!originals.has(c.src_bucket)) originals.set(c.src_bucket, new Set());
    originals.get(c.src_bucket)!.add(c.src_path);
  }
  const nOriginals = [...originals.values()].reduce((n, s) => n + s.size, 0);
  lines.push(`plan: drop ${present.join(', ') || '(no tables left)'}; remove ${nOriginals} original objects; remove buckets ${OLD_BUCKETS.filter((b) => b !== TARGET_BUCKET).join(', ')} when empty`);
  lines.push(`kept: ${KEPT_LEGACY_TABLES.join(', ')} (not consolidated by this tool), consolidation.* (run history, storage copies, quarantine)`);
  if (o.dryRun) return { ok: true, text: [...lines, 'dry run: nothing was changed'].join('\n'), json: { ok: true, dryRun: true, drop: present, originals: nOriginals } };

  // 4. A fresh backup, with the bytes of everything about to be removed.
  const backup = await takeBackup(client, { dbUrl: o.dbUrl, dir: o.backupDir, kind: 'finalize', storage: o.storage, saveObjects: originals, log: o.log });
  lines.push(`backup: ${backup.dir}`);

  // 5. Drop in one statement (dependencies among the dropped tables only), no CASCADE.
  await client.query('begin');
  try {
    if (present.length) await client.query(`drop table ${present.join(', ')}`);
    await client.query(`insert into consolidation.runs (started_at, kind, backup_dir, report) values (now(), 'finalize', $1, $2)`,
      [backup.dir, JSON.stringify({ dropped: present, originals: nOriginals })]);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    return refuse(`dropping the legacy tables failed: ${(e as Error).message}`);
  }
  lines.push(`dropped: ${present.join(', ') || '(none)'}`);

  // 6. Storage after the database: a failure here leaves objects that a re-run removes.
  let removed = 0;
  for (const [bucket, paths] of originals) {
    for (const p of paths) {
      await o.storage.remove(bucket, p);
      if (!o.storage.writesObjectRows) await client.query('delete from storage.objects where bucket_id = $1 and name = $2', [bucket, p]);
      await client.query('update consolidation.storage_copies set removed_at = now() where src_bucket = $1 and src_path = $2', [bucket, p]);
      removed++;
    }
  }
  lines.push(`removed ${removed} original objects`);
  const keptBuckets: Record<string, string[]> = {};
  for (const b of OLD_BUCKETS) {
    if (b === TARGET_BUCKET || !(await o.storage.listBuckets()).includes(b)) continue;
    const left = await o.storage.list(b);
    if (left.size) {
      keptBuckets[b] = [...left.keys()];
      lines.push(`kept bucket ${b}: ${left.size} object(s) no message refers to (not deleted: ${[...left.keys()].slice(0, 5).join(', ')}${left.size > 5 ? ', …' : ''})`);
      continue;
    }
    await o.storage.removeBucket(b);
    if (!o.storage.writesObjectRows) await client.query('delete from storage.buckets where id = $1 and not exists (select 1 from storage.objects where bucket_id = $1)', [b]);
    lines.push(`removed bucket ${b}`);
  }
  return { ok: true, text: lines.join('\n'), json: { ok: true, dropped: present, removedObjects: removed, keptBuckets, backupDir: backup.dir } };
}
