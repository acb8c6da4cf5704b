// Resolution of files, the writes of one consolidation run (inside the caller's transaction) and
// the verification that decides whether that transaction may commit.
import type pg from 'pg';
import { OLD_BUCKETS, TARGET_BUCKET, mimeFromName, parseFileRef } from './file-refs.ts';
import { PATH_SQL, PLACEHOLDER_REVIEWER_KEY, legacyFlagSql } from './plan.ts';
import { mapLimit, sha256, STORAGE_CONCURRENCY, type ObjectInfo, type StoragePort } from './storage.ts';

/** Actions that account for a source row. Participant rows ('consolidate_participant') only add traceability. */
export const CONSOLIDATION_ACTIONS = ['consolidate', 'consolidate_merge', 'consolidate_review', 'consolidate_quarantine', 'consolidate_placeholder'];
const ACTIONS_SQL = `(${CONSOLIDATION_ACTIONS.map((a) => `'${a}'`).join(',')})`;

/** Marks what earlier runs already carried over, and what collides with rows nobody migrated. */
export const DONE_SQL: string[] = [
  `create temp table cons_audited on commit drop as
   select distinct a.source_table, a.source_id, a.action from public.audit_log a where a.action in ${ACTIONS_SQL} and a.source_table is not null`,
  `create index on cons_audited (source_table, source_id)`,
  // A source an earlier run folded into another message stays folded.
  `delete from cons_messages c where exists (select 1 from cons_audited a where a.source_table = c.source_table and a.source_id = c.source_id and a.action = 'consolidate_merge')`,
  // Traced as carried over = done, even if the console has since deleted the row (never resurrect).
  `update cons_messages c set done = true where exists (select 1 from cons_audited a where a.source_table = c.source_table and a.source_id = c.source_id)`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'id_taken_by_unrelated_message', 'blocking', c.source_table, c.source_id, c.id::text, '{}'::jsonb
   from cons_messages c where not c.done and exists (select 1 from public.chat_messages t where t.id = c.id)`,
  // A decision about a message that exists nowhere: kept aside, never dropped.
  `insert into cons_quarantine
   select 'public.voice_note_approvals', a.id::text, 'review decision for a message that exists nowhere', a.raw
   from src_approvals a
   where not exists (select 1 from cons_messages c where c.id = a.message_id)
     and not exists (select 1 from public.chat_messages t where t.id = a.message_id)`,
  `insert into cons_issues (kind, severity, source_table, source_id, detail)
   select 'quarantine', 'blocking', q.source_table, q.source_id, jsonb_build_object('reason', q.reason)
   from cons_quarantine q where q.source_table = 'public.voice_note_approvals'`,
];

/** Users that are referenced but have no profile: placeholder profiles with the same id. */
export const PLACEHOLDER_SQL: string[] = [
  `create temp table cons_placeholders on commit drop as
   select u.id, bool_or(u.reader) as reader, bool_or(u.reviewer) as reviewer
   from (
     select sender_id id, false reader, false reviewer from cons_messages where not done
     union all select reviewed_by, false, true from cons_messages where not done
     union all select user_id, role_in_session = 'reader', false from cons_participants
     union all select created_by, false, false from cons_sessions
   ) u
   where u.id is not null and not exists (select 1 from public.profiles p where p.id = u.id)
   group by u.id`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'placeholder_profile', 'mapped', case when exists (select 1 from auth.users au where au.id = p.id) then 'auth.users' else 'missing:public.profiles' end,
          p.id::text, p.id::text,
          jsonb_build_object('auth_user_exists', exists (select 1 from auth.users au where au.id = p.id), 'role', case when p.reader then 'reader' else 'client' end,
                             'unknown_reviewer', p.id = md5('${PLACEHOLDER_REVIEWER_KEY}')::uuid)
   from cons_placeholders p`,
  // The orphans themselves, row by row (the placeholder rows above say how they are kept).
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'sender_missing', 'mapped', c.source_table, c.source_id, c.id::text, jsonb_build_object('sender_id', c.sender_id)
   from cons_messages c join cons_placeholders p on p.id = c.sender_id where not c.done
   union all
   select 'booking_missing', 'mapped', 'public.messages', m.id::text, m.id::text, jsonb_build_object('booking_id', m.booking_id)
   from src_messages m where m.booking_id is not null and not exists (select 1 from src_bookings b where b.id = m.booking_id)
     and not exists (select 1 from src_lsessions ls where ls.id = m.booking_id)`,
];

export interface Resolution {
  /** Objects to copy: message id, source, destination. */
  copies: { messageId: string; srcBucket: string; srcPath: string; dest: string; size: number; mime: string | null; owner: string | null }[];
}

/** Picks, for every message with a file, the first reference that names an existing object. */
export async function resolveFiles(client: pg.ClientBase, storage: StoragePort): Promise<Resolution> {
  const buckets = new Set<string>([...OLD_BUCKETS, ...(await storage.listBuckets())]);
  const listings = new Map<string, Map<string, ObjectInfo>>();
  const listing = async (b: string) => {
    if (!listings.has(b)) listings.set(b, buckets.has(b) ? await storage.list(b) : new Map());
    return listings.get(b)!;
  };
  const rows = (await client.query<{ id: string; file_refs: string[]; implied_bucket: string | null; type: string; status: string; mime_type: string | null; file_name: string | null }>(
    `select id, file_refs, implied_bucket, type, status, mime_type, file_name from cons_messages where not done and (cardinality(file_refs) > 0 or type in ('audio','image','file'))`,
  )).rows;
  // What the Storage service recorded for each original (its content type) beats the legacy
  // columns (voice_notes.audio_format defaults to mp3 whatever was uploaded) and the file name.
  const objectMime = new Map<string, string>();
  const hasObjects = (await client.query<{ ok: boolean }>(`select to_regclass('storage.objects') is not null ok`)).rows[0]!.ok;
  if (hasObjects) {
    const r = await client.query<{ k: string; m: string }>(
      `select bucket_id || '/' || name k, metadata ->> 'mimetype' m from storage.objects where bucket_id = any ($1::text[]) and metadata ->> 'mimetype' is not null`,
      [[...buckets]]);
    // A generic type says nothing: fall through to the legacy columns and the name.
    for (const x of r.rows) if (!/^(application|binary)\/octet-stream$/i.test(x.m.trim())) objectMime.set(x.k, x.m);
  }
  const ids: string[] = [], bucketsOut: (string | null)[] = [], paths: (string | null)[] = [], sizes: (number | null)[] = [], mimes: (string | null)[] = [];
  const issues: { kind: string; id: string; detail: unknown }[] = [];
  for (const r of rows) {
    const implied = [r.implied_bucket ?? 'chat-attachments', ...OLD_BUCKETS.filter((b) => b !== r.implied_bucket)];
    let found: { bucket: string; path: string; size: number } | null = null;
    const tried: string[] = [];
    const external: string[] = [];
    for (const ref of r.file_refs) {
      const parsed = parseFileRef(ref, [...buckets], implied);
      if (parsed.kind === 'external') { external.push(parsed.url); continue; }
      if (parsed.kind === 'empty') continue;
      for (const c of parsed.candidates) {
        tried.push(`${c.bucket}/${c.path}`);
        const obj = (await listing(c.bucket)).get(c.path);
        if (obj) { found = { ...c, size: obj.size }; break; }
      }
      if (found) break;
    }
    if (!found && r.status === 'deleted') {
      // A deleted message needs no file; its references stay in audit_log.
      issues.push({ kind: 'deleted_message_file_missing', id: r.id, detail: { file_refs: r.file_refs } });
    } else if (!found) {
      if (external.length) issues.push({ kind: 'file_outside_supabase_storage', id: r.id, detail: { urls: external } });
      else if (!r.file_refs.length) issues.push({ kind: 'attachment_message_without_file', id: r.id, detail: { type: r.type } });
      else issues.push({ kind: 'file_not_found', id: r.id, detail: { file_refs: r.file_refs, tried: [...new Set(tried)].slice(0, 6) } });
    }
    ids.push(r.id);
    bucketsOut.push(found?.bucket ?? null);
    paths.push(found?.path ?? null);
    sizes.push(found && found.size >= 0 ? found.size : null);
    const mime = (found ? objectMime.get(`${found.bucket}/${found.path}`) : undefined) ?? r.mime_type
      ?? mimeFromName(found?.path) ?? mimeFromName(r.file_name) ?? mimeFromName(r.file_refs[0]?.replace(/\?.*$/, ''));
    // "audio/webm;codecs=opus" is audio/webm to the bucket's allow-list.
    mimes.push(mime ? mime.split(';')[0]!.trim().toLowerCase() || null : null);
  }
  await client.query(
    `update cons_messages c set src_bucket = x.b, src_path = x.p, size_bytes = coalesce(x.s, c.size_bytes), mime_type = x.m
     from unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[]) x(id, b, p, s, m) where c.id = x.id`,
    [ids, bucketsOut, paths, sizes, mimes],
  );
  if (issues.length) {
    await client.query(
      `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
       select x.k, case when x.k = 'deleted_message_file_missing' then 'mapped' else 'blocking' end, c.source_table, c.source_id, c.id::text, x.d from unnest($1::text[], $2::uuid[], $3::jsonb[]) x(k, id, d) join cons_messages c on c.id = x.id`,
      [issues.map((i) => i.kind), issues.map((i) => i.id), issues.map((i) => JSON.stringify(i.detail))],
    );
  }
  // A second voice_notes row for the same voice message and the same file is the same message.
  await client.query(`create temp table cons_merges (source_table text, source_id text, target_id uuid, reason text) on commit drop`);
  await client.query(`
    with dup as (
      select c.id, c.source_id, p.id as parent from cons_messages c
      join src_voice_notes vn on vn.id::text = c.source_id
      join cons_messages p on p.id = vn.message_id
      where c.source_table = 'public.voice_notes' and c.id <> p.id and c.src_bucket = p.src_bucket and c.src_path = p.src_path)
    , moved as (insert into cons_merges select 'public.voice_notes', source_id, parent, 'same voice message recorded twice in voice_notes' from dup returning 1)
    delete from cons_messages c using dup where c.id = dup.id`);
  await client.query(`delete from cons_issues i where i.kind = 'second_voice_note_for_message'
    and exists (select 1 from cons_merges m where m.source_table = i.source_table and m.source_id = i.source_id)`);
  await client.query(`insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
    select 'duplicate_voice_note_merged', 'mapped', source_table, source_id, target_id::text, '{}'::jsonb from cons_merges`);
  // Other merges: the public.messages twin of a legacy row, and voice notes folded into their message.
  await client.query(`insert into cons_merges
    select 'public.messages', m.id::text, m.id, 'same message also in legacy.chat_messages' from src_messages m where exists (select 1 from src_lmessages lm where lm.id = m.id)
    union all
    select 'public.voice_notes', vn.id::text, vn.parent_id, 'voice message in messages and voice_notes' from cons_vn vn where vn.parent_type = 'audio' and vn.rn = 1`);
  for (const sql of PATH_SQL) await client.query(sql.replace(/where f\.mid = cons_messages\.id/, 'where f.mid = cons_messages.id and not cons_messages.done'));
  await client.query(`update cons_messages set storage_path = null where not done and status = 'deleted' and src_path is null`);

  // The target bucket's own limits apply to the copies as they would to any upload.
  const bucket = (await client.query<{ file_size_limit: string | null; allowed_mime_types: string[] | null }>(
    `select file_size_limit, allowed_mime_types from storage.buckets where id = $1`, [TARGET_BUCKET])).rows[0];
  if (!bucket) {
    await client.query(`insert into cons_issues (kind, severity, detail) values ('target_bucket_missing', 'blocking', jsonb_build_object('bucket', $1::text))`, [TARGET_BUCKET]);
  } else {
    await client.query(
      `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
       select 'file_refused_by_chat_files_bucket', 'blocking', c.source_table, c.source_id, c.id::text,
              jsonb_build_object('mime_type', c.mime_type, 'size', c.size_bytes, 'limit', $1::bigint, 'allowed', $2::text[])
       from cons_messages c
       where not c.done and c.src_path is not null
         and (($1::bigint is not null and c.size_bytes > $1::bigint)
              or ($2::text[] is not null and (c.mime_type is null or not (lower(c.mime_type) = any ($2::text[])))))`,
      [bucket.file_size_limit, bucket.allowed_mime_types],
    );
  }
  const copies = (await client.query<{ id: string; src_bucket: string; src_path: string; storage_path: string; size_bytes: string; mime_type: string | null; sender_id: string | null }>(
    `select id, src_bucket, src_path, storage_path, size_bytes, mime_type, sender_id from cons_messages where not done and src_path is not null and storage_path is not null order by id`,
  )).rows;
  return {
    copies: copies.map((c) => ({ messageId: c.id, srcBucket: c.src_bucket, srcPath: c.src_path, dest: c.storage_path, size: Number(c.size_bytes), mime: c.mime_type, owner: c.sender_id })),
  };
}

export interface CopyResult {
  messageId: string; srcBucket: string; srcPath: string; dest: string; size: number; sha256: string; created: boolean;
}

/** Copies into chat-files, checking size and checksum of what landed before anything refers to it. */
/** `created` receives each destination as soon as it is written, so a failure can remove exactly those. */
export async function copyObjects(storage: StoragePort, res: Resolution, log: (s: string) => void, created: string[]): Promise<CopyResult[]> {
  const existing = await storage.list(TARGET_BUCKET);
  let n = 0;
  const out = await mapLimit(res.copies, STORAGE_CONCURRENCY, async (c): Promise<CopyResult> => {
    const data = await storage.read(c.srcBucket, c.srcPath);
    if (c.size >= 0 && data.length !== c.size) throw new Error(`storage: ${c.srcBucket}/${c.srcPath} is ${data.length} bytes, listed as ${c.size}`);
    const sum = sha256(data);
    let made = false;
    if (existing.has(c.dest)) {
      const there = await storage.read(TARGET_BUCKET, c.dest);
      if (sha256(there) !== sum) throw new Error(`storage: ${TARGET_BUCKET}/${c.dest} already exists with different content; refusing to overwrite`);
    } else {
      created.push(c.dest);
      await storage.write(TARGET_BUCKET, c.dest, data, c.mime);
      made = true;
      const back = await storage.read(TARGET_BUCKET, c.dest);
      if (back.length !== data.length || sha256(back) !== sum) {
        throw new Error(`storage: copy of ${c.srcBucket}/${c.srcPath} to ${TARGET_BUCKET}/${c.dest} does not match (size or sha256)`);
      }
    }
    if (++n % 5000 === 0) log(`  storage: ${n}/${res.copies.length} objects copied and verified`);
    return { messageId: c.messageId, srcBucket: c.srcBucket, srcPath: c.srcPath, dest: c.dest, size: data.length, sha256: sum, created: made };
  });
  return out;
}

export const BOOKKEEPING_SQL = `
  create schema if not exists consolidation;
  revoke all on schema consolidation from public;
  create table if not exists consolidation.runs (
    id bigint generated always as identity primary key, started_at timestamptz not null, finished_at timestamptz not null default now(),
    kind text not null, backup_dir text, report jsonb not null);
  create table if not exists consolidation.storage_copies (
    message_id uuid not null, src_bucket text not null, src_path text not null, dest_bucket text not null, dest_path text not null,
    size_bytes bigint not null, sha256 text not null, copied_at timestamptz not null default now(), removed_at timestamptz,
    primary key (message_id, dest_path));
  create table if not exists consolidation.quarantine (
    source_table text not null, source_id text not null, reason text not null, raw jsonb, quarantined_at timestamptz not null default now(),
    primary key (source_table, source_id));
`;

const TARGET_TABLES = ['public.chat_sessions', 'public.chat_participants', 'public.chat_messages'];

export interface WriteOptions {
  failAfterRows?: number | null;
  chunkSize?: number;
  writeObjectRows: boolean;
  copies: CopyResult[];
  log: (s: string) => void;
}

export interface WriteCounts { sessions: number; messages: number; participants: number; placeholders: number; quarantined: number; audit: number }

export async function writeAll(client: pg.ClientBase, opts: WriteOptions): Promise<WriteCounts> {
  const counts: WriteCounts = { sessions: 0, messages: 0, participants: 0, placeholders: 0, quarantined: 0, audit: 0 };
  await client.query(BOOKKEEPING_SQL);

  // Placeholder profiles first: sessions, messages and participants refer to them.
  const required = (await client.query<{ column_name: string; data_type: string }>(
    `select column_name, data_type from information_schema.columns where table_schema = 'public' and table_name = 'profiles'
       and is_nullable = 'NO' and column_default is null and is_generated = 'NEVER' and column_name not in ('id', 'display_name', 'role')`)).rows;
  const extraCols = required.map((c) => `"${c.column_name}"`);
  // A password hash no login can ever match: the placeholder only carries the id and a name.
  const extraVals = required.map((c) => (/password/.test(c.column_name) ? `'!consolidation-placeholder'` : c.data_type === 'boolean' ? 'false' : `''`));
  const ph = await client.query(`
    insert into public.profiles (id, display_name, role${extraCols.map((c) => `, ${c}`).join('')})
    select p.id,
           case when p.id = md5('${PLACEHOLDER_REVIEWER_KEY}')::uuid then 'Unknown reviewer (legacy import)'
                else coalesce((select coalesce(au.raw_user_meta_data ->> 'full_name', split_part(au.email, '@', 1)) from auth.users au where au.id = p.id), 'Deleted user') end,
           case when p.reader then 'reader' else 'client' end${extraVals.map((v) => `, ${v}`).join('')}
    from cons_placeholders p on conflict (id) do nothing`);
  counts.placeholders = ph.rowCount ?? 0;

  // Historical rows are not new events: the console's triggers (rate limits, realtime fan-out,
  // audit of status changes) must not fire for them. This run writes its own audit rows below.
  for (const t of TARGET_TABLES) await client.query(`alter table ${t} disable trigger user`);

  counts.sessions = (await client.query(`
    insert into public.chat_sessions (id, type, status, booking_id, created_at, created_by)
    select s.id, s.type, s.status, s.booking_id, coalesce(s.created_at, now()), s.created_by
    from cons_sessions s where not exists (select 1 from public.chat_sessions t where t.id = s.id)`)).rowCount ?? 0;

  // Messages in chunks (reply_to filled afterwards, as a reply may precede its target in any order).
  await client.query(`create temp table cons_todo on commit drop as
    select row_number() over (order by created_at, id) as seq, id from cons_messages where not done`);
  const total = Number((await client.query<{ n: string }>('select count(*) n from cons_todo')).rows[0]!.n);
  // With an injected failure the chunk ends exactly where the failure is due: half-way for real.
  const chunk = opts.failAfterRows ? Math.max(1, Math.min(opts.chunkSize ?? 20000, opts.failAfterRows)) : (opts.chunkSize ?? 20000);
  for (let from = 0; from < total; from += chunk) {
    const r = await client.query(`
      insert into public.chat_messages (id, session_id, sender_id, type, body, storage_path, mime_type, size_bytes, duration_ms, waveform,
        status, reviewed_by, reviewed_at, review_reason, created_at, edited_at, flagged, flagged_reason, flagged_by, flagged_at)
      select c.id, c.session_id, c.sender_id, c.type, c.body, c.storage_path, c.mime_type, c.size_bytes, c.duration_ms, c.waveform,
        c.status, c.reviewed_by, c.reviewed_at, c.review_reason, c.created_at, c.edited_at, c.flagged, c.flagged_reason, null, c.flagged_at
      from cons_todo t join cons_messages c on c.id = t.id where t.seq > $1 and t.seq <= $2`, [from, from + chunk]);
    counts.messages += r.rowCount ?? 0;
    if (opts.failAfterRows != null && counts.messages >= opts.failAfterRows) {
      throw new Error(`injected failure after ${counts.messages} messages (CONSOLIDATE_FAIL_AFTER_ROWS=${opts.failAfterRows})`);
    }
  }
  await client.query(`update public.chat_messages t set reply_to = c.reply_to from cons_messages c
    where c.id = t.id and not c.done and c.reply_to is not null`);
  await client.query(`update public.chat_sessions s set last_message_at = greatest(s.last_message_at, x.last_at)
    from (select session_id, max(created_at) last_at from public.chat_messages where session_id in (select id from cons_sessions) group by session_id) x
    where x.session_id = s.id and s.last_message_at is distinct from greatest(s.last_message_at, x.last_at)`);

  counts.participants = (await client.query(`
    insert into public.chat_participants (session_id, user_id, role_in_session, last_read_at, joined_at)
    select p.session_id, p.user_id, p.role_in_session, p.last_read_at, p.joined_at from cons_participants p
    on conflict (session_id, user_id) do nothing`)).rowCount ?? 0;

  for (const t of TARGET_TABLES) await client.query(`alter table ${t} enable trigger user`);

  if (opts.copies.length) {
    const c = opts.copies;
    await client.query(`insert into consolidation.storage_copies (message_id, src_bucket, src_path, dest_bucket, dest_path, size_bytes, sha256)
      select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[]) on conflict do nothing`,
      [c.map((x) => x.messageId), c.map((x) => x.srcBucket), c.map((x) => x.srcPath), c.map(() => TARGET_BUCKET), c.map((x) => x.dest), c.map((x) => x.size), c.map((x) => x.sha256)]);
    if (opts.writeObjectRows) {
      // The folder backend has no Storage service to index the objects: do what it would do.
      await client.query(`insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
        select $1, x.dest, m.sender_id, m.sender_id::text, jsonb_build_object('size', x.size, 'mimetype', m.mime_type, 'eTag', '"' || x.sha || '"')
        from unnest($2::text[], $3::bigint[], $4::text[], $5::uuid[]) x(dest, size, sha, mid) join cons_messages m on m.id = x.mid
        where not exists (select 1 from storage.objects o where o.bucket_id = $1 and o.name = x.dest)`,
        [TARGET_BUCKET, c.map((x) => x.dest), c.map((x) => x.size), c.map((x) => x.sha256), c.map((x) => x.messageId)]);
    }
  }
  counts.quarantined = (await client.query(`insert into consolidation.quarantine (source_table, source_id, reason, raw)
    select source_table, source_id, reason, raw from cons_quarantine on conflict do nothing`)).rowCount ?? 0;

  counts.audit = await writeAudit(client);
  return counts;
}

/** One audit row per source row (and per participant / placeholder), skipping what is already traced. */
async function writeAudit(client: pg.ClientBase): Promise<number> {
  const stmts = [
    // Sessions (from legacy sessions, bookings, placeholders).
    `insert into public.audit_log (table_name, row_id, action, old_values, new_values, source_table, source_id)
     select 'chat_sessions', s.id::text, s.action, coalesce(ls.raw, b.raw), to_jsonb(t), s.source_table, s.source_id
     from cons_sessions s
     left join public.chat_sessions t on t.id = s.id
     left join src_lsessions ls on s.source_table = 'legacy.chat_sessions' and ls.id::text = s.source_id
     left join src_bookings b on s.source_table = 'public.bookings' and b.id::text = s.source_id
     where not exists (select 1 from cons_audited a where a.source_table = s.source_table and a.source_id = s.source_id)`,
    // Bookings carried by a legacy session, and legacy sessions merged into another one.
    `insert into public.audit_log (table_name, row_id, action, old_values, new_values, source_table, source_id)
     select 'chat_sessions', k.session_id::text, 'consolidate_merge', b.raw, jsonb_build_object('merged_into', k.session_id), 'public.bookings', b.id::text
     from src_bookings b join cons_session_key k on k.kind = 'booking' and k.key = b.id
     where not exists (select 1 from cons_sessions s where s.source_table = 'public.bookings' and s.source_id = b.id::text)
       and not exists (select 1 from cons_audited a where a.source_table = 'public.bookings' and a.source_id = b.id::text)
     union all
     select 'chat_sessions', k.session_id::text, 'consolidate_merge', ls.raw, jsonb_build_object('merged_into', k.session_id), 'legacy.chat_sessions', ls.id::text
     from src_lsessions ls join cons_session_key k on k.kind = 'legacy_session' and k.key = ls.id
     where k.session_id <> ls.id and not exists (select 1 from cons_audited a where a.source_table = 'legacy.chat_sessions' and a.source_id = ls.id::text)`,
    // Messages (joins per source table: the original row goes to old_values).
    `insert into public.audit_log (table_name, row_id, action, old_values, new_values, source_table, source_id)
     select 'chat_messages', c.id::text, 'consolidate', coalesce(m.raw, lm.raw, vn.raw), to_jsonb(t), c.source_table, c.source_id
     from cons_messages c
     join public.chat_messages t on t.id = c.id
     left join src_messages m on c.source_table = 'public.messages' and m.id::text = c.source_id
     left join src_lmessages lm on c.source_table = 'legacy.chat_messages' and lm.id::text = c.source_id
     left join src_voice_notes vn on c.source_table = 'public.voice_notes' and vn.id::text = c.source_id
     where not c.done`,
    `insert into public.audit_log (table_name, row_id, action, old_values, new_values, source_table, source_id)
     select 'chat_messages', g.target_id::text, 'consolidate_merge', coalesce(m.raw, vn.raw),
            jsonb_build_object('merged_into', g.target_id, 'reason', g.reason), g.source_table, g.source_id
     from cons_merges g
     left join src_messages m on g.source_table = 'public.messages' and m.id::text = g.source_id
     left join src_voice_notes vn on g.source_table = 'public.voice_notes' and vn.id::text = g.source_id
     where not exists (select 1 from cons_audited a where a.source_table = g.source_table and a.source_id = g.source_id)`,
    // Review decisions: each approval row, and whether it is the one that decided the status.
    `insert into public.audit_log (table_name, row_id, action, actor_id, old_values, new_values, source_table, source_id)
     select 'chat_messages', a.message_id::text, 'consolidate_review', a.reviewed_by, a.raw,
            jsonb_build_object('decided_status', l.id is not null), 'public.voice_note_approvals', a.id::text
     from src_approvals a
     join public.chat_messages t on t.id = a.message_id
     left join cons_approval l on l.id = a.id
     where not exists (select 1 from cons_audited x where x.source_table = 'public.voice_note_approvals' and x.source_id = a.id::text)`,
    // Participants and placeholders (traceability, not source coverage).
    `insert into public.audit_log (table_name, row_id, action, new_values, source_table, source_id)
     select 'chat_participants', p.session_id || ':' || p.user_id, 'consolidate_participant', to_jsonb(t), p.source_table, p.source_id
     from cons_participants p join public.chat_participants t on t.session_id = p.session_id and t.user_id = p.user_id
     where not exists (select 1 from public.audit_log a where a.table_name = 'chat_participants' and a.row_id = p.session_id || ':' || p.user_id and a.action = 'consolidate_participant')`,
    `insert into public.audit_log (table_name, row_id, action, new_values, source_table, source_id)
     select 'profiles', p.id::text, 'consolidate_placeholder', jsonb_build_object('reader', p.reader, 'reviewer', p.reviewer), 'missing:public.profiles', p.id::text
     from cons_placeholders p`,
    `insert into public.audit_log (table_name, row_id, action, old_values, new_values, source_table, source_id)
     select 'consolidation.quarantine', q.source_table || ':' || q.source_id, 'consolidate_quarantine', q.raw, jsonb_build_object('reason', q.reason), q.source_table, q.source_id
     from cons_quarantine q where not exists (select 1 from cons_audited a where a.source_table = q.source_table and a.source_id = q.source_id)`,
  ];
  let n = 0;
  for (const s of stmts) n += (await client.query(s)).rowCount ?? 0;
  return n;
}

export interface VerifyResult {
  ok: boolean;
  /** Source rows with no trace in audit_log. */
  untraced: { source_table: string; source_id: string }[];
  /** Planned rows that are absent or differ in the target tables. */
  mismatched: { id: string; problem: string }[];
  counts: { type: string; status: string; expected: number; actual: number }[];
  /** Messages per flag state: expected from the source rows' own flags, actual in chat_messages. */
  flags: { flagged: boolean; expected: number; actual: number }[];
  /** Per source table: rows now, and how each is accounted for in audit_log (all runs). */
  accounting: { source_table: string; rows: number; carried: number; merged: number; review: number; quarantined: number; untraced: number }[];
  sessions: { expected: number; actual: number };
  participants: { expected: number; actual: number };
}

/** Counts per type and status, row-by-row comparison, and source coverage. */
export async function verify(client: pg.ClientBase, copies: CopyResult[]): Promise<VerifyResult> {
  const untraced = (await client.query<{ source_table: string; source_id: string }>(`
    with traced as (select distinct source_table, source_id from public.audit_log where action in ${ACTIONS_SQL})
    select 'public.bookings' source_table, id::text source_id from src_bookings s where not exists (select 1 from traced t where t.source_table = 'public.bookings' and t.source_id = s.id::text)
    union all select 'public.messages', id::text from src_messages s where not exists (select 1 from traced t where t.source_table = 'public.messages' and t.source_id = s.id::text)
    union all select 'public.voice_notes', id::text from src_voice_notes s where not exists (select 1 from traced t where t.source_table = 'public.voice_notes' and t.source_id = s.id::text)
    union all select 'public.voice_note_approvals', id::text from src_approvals s where not exists (select 1 from traced t where t.source_table = 'public.voice_note_approvals' and t.source_id = s.id::text)
    union all select 'legacy.chat_sessions', id::text from src_lsessions s where not exists (select 1 from traced t where t.source_table = 'legacy.chat_sessions' and t.source_id = s.id::text)
    union all select 'legacy.chat_messages', id::text from src_lmessages s where not exists (select 1 from traced t where t.source_table = 'legacy.chat_messages' and t.source_id = s.id::text)
    order by 1, 2`)).rows;
  const mismatched = (await client.query<{ id: string; problem: string }>(`
    select c.id::text, case when t.id is null then 'missing in chat_messages'
      else concat_ws('; ',
        case when t.type is distinct from c.type then format('type %s, expected %s', t.type, c.type) end,
        case when t.status is distinct from c.status then format('status %s, expected %s', t.status, c.status) end,
        case when t.session_id is distinct from c.session_id then 'session differs' end,
        case when t.sender_id is distinct from c.sender_id then 'sender differs' end,
        case when t.body is distinct from c.body then 'body differs' end,
        case when t.storage_path is distinct from c.storage_path then 'storage_path differs' end,
        case when t.reviewed_by is distinct from c.reviewed_by or t.reviewed_at is distinct from c.reviewed_at or t.review_reason is distinct from c.review_reason then 'review differs' end,
        case when t.reply_to is distinct from c.reply_to then 'reply_to differs' end,
        case when t.created_at is distinct from c.created_at then 'created_at differs' end,
        case when t.waveform is distinct from c.waveform then 'waveform differs' end,
        case when t.flagged is distinct from c.flagged or t.flagged_reason is distinct from c.flagged_reason
               or t.flagged_at is distinct from c.flagged_at or t.flagged_by is not null then 'flag differs' end) end as problem
    from cons_messages c left join public.chat_messages t on t.id = c.id
    where not c.done and (t.id is null or t.type is distinct from c.type or t.status is distinct from c.status or t.session_id is distinct from c.session_id
      or t.sender_id is distinct from c.sender_id or t.body is distinct from c.body or t.storage_path is distinct from c.storage_path
      or t.reviewed_by is distinct from c.reviewed_by or t.reviewed_at is distinct from c.reviewed_at or t.review_reason is distinct from c.review_reason
      or t.reply_to is distinct from c.reply_to or t.created_at is distinct from c.created_at or t.waveform is distinct from c.waveform
      or t.flagged is distinct from c.flagged or t.flagged_reason is distinct from c.flagged_reason or t.flagged_at is distinct from c.flagged_at
      or t.flagged_by is not null)
    order by 1 limit 200`)).rows;
  // Not from the plan: each carried message's flag state read again from its source rows (either
  // twin of a message kept in both generations; voice notes carry no flag).
  const flags = (await client.query<{ flagged: boolean; expected: string; actual: string }>(`
    with s as (
      select c.id, coalesce((select bool_or(coalesce(m.flagged, false)) from src_messages m where m.id = c.id and c.source_table <> 'public.voice_notes'), false)
               or coalesce((select bool_or(${legacyFlagSql('lm')}) from src_lmessages lm where lm.id = c.id and c.source_table = 'legacy.chat_messages'), false) as f
      from cons_messages c where not c.done),
    e as (select f, count(*) n from s group by 1),
    a as (select t.flagged f, count(*) n from public.chat_messages t join cons_messages c on c.id = t.id and not c.done group by 1)
    select coalesce(e.f, a.f) as flagged, coalesce(e.n, 0) expected, coalesce(a.n, 0) actual from e full join a on a.f = e.f order by 1`)).rows
    .map((r) => ({ flagged: r.flagged, expected: Number(r.expected), actual: Number(r.actual) }));
  const counts = (await client.query<{ type: string; status: string; expected: string; actual: string }>(`
    with e as (select type, status, count(*) n from cons_messages where not done group by 1, 2),
         a as (select t.type, t.status, count(*) n from public.chat_messages t join cons_messages c on c.id = t.id and not c.done group by 1, 2)
    select coalesce(e.type, a.type) as type, coalesce(e.status, a.status) as status, coalesce(e.n, 0) expected, coalesce(a.n, 0) actual
    from e full join a on a.type = e.type and a.status = e.status order by 1, 2`)).rows.map((r) => ({ type: r.type, status: r.status, expected: Number(r.expected), actual: Number(r.actual) }));
  const sess = (await client.query<{ e: string; a: string }>(`select (select count(*) from cons_sessions) e,
     (select count(*) from public.chat_sessions t where t.id in (select id from cons_sessions)) a`)).rows[0]!;
  const part = (await client.query<{ e: string; a: string }>(`select (select count(*) from cons_participants) e,
     (select count(*) from public.chat_participants t join cons_participants p on p.session_id = t.session_id and p.user_id = t.user_id) a`)).rows[0]!;
  // Every copied object must be what the message now points at.
  if (copies.length) {
    const wrong = (await client.query<{ id: string; dest: string }>(
      `select x.id::text, x.dest from unnest($1::uuid[], $2::text[]) x(id, dest) left join public.chat_messages t on t.id = x.id
       where t.storage_path is distinct from x.dest limit 200`, [copies.map((c) => c.messageId), copies.map((c) => c.dest)])).rows;
    for (const w of wrong) mismatched.push({ id: w.id, problem: `storage_path is not the verified copy ${w.dest}` });
  }
  const accounting = (await client.query<{ source_table: string; rows: string; carried: string; merged: string; review: string; quarantined: string }>(`
    with src as (
      select 'public.bookings' t, id::text id from src_bookings union all select 'public.messages', id::text from src_messages
      union all select 'public.voice_notes', id::text from src_voice_notes union all select 'public.voice_note_approvals', id::text from src_approvals
      union all select 'legacy.chat_sessions', id::text from src_lsessions union all select 'legacy.chat_messages', id::text from src_lmessages),
    a as (select source_table, source_id, bool_or(action in ('consolidate', 'consolidate_placeholder')) carried, bool_or(action = 'consolidate_merge') merged,
                 bool_or(action = 'consolidate_review') review, bool_or(action = 'consolidate_quarantine') quarantined
          from public.audit_log where action in ${ACTIONS_SQL} group by 1, 2)
    select src.t source_table, count(*) rows, count(*) filter (where a.carried) carried, count(*) filter (where a.merged and not a.carried) merged,
           count(*) filter (where a.review) review, count(*) filter (where a.quarantined) quarantined
    from src left join a on a.source_table = src.t and a.source_id = src.id group by 1 order by 1`)).rows.map((r) => {
    const n = { rows: Number(r.rows), carried: Number(r.carried), merged: Number(r.merged), review: Number(r.review), quarantined: Number(r.quarantined) };
    return { source_table: r.source_table, ...n, untraced: n.rows - n.carried - n.merged - n.review - n.quarantined };
  });
  const sessions = { expected: Number(sess.e), actual: Number(sess.a) };
  const participants = { expected: Number(part.e), actual: Number(part.a) };
  const ok = !untraced.length && !mismatched.length && accounting.every((a) => a.untraced === 0) && counts.every((c) => c.expected === c.actual)
    && flags.every((f) => f.expected === f.actual)
    && sessions.expected === sessions.actual && participants.expected === participants.actual;
  return { ok, untraced: untraced.slice(0, 200), mismatched, counts, flags, accounting, sessions, participants };
}
