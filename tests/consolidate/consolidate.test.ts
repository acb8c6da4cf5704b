// The consolidation against a legacy database built from shared/legacy/live-columns.csv on a real
// PostgreSQL 15, filled with data covering every trap of the legacy README.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Issue, Report } from '../../tools/consolidate/run.ts';
import { baseArgs, cli, Harness, storageSnapshot, type Scenario, type Template } from './support/harness.ts';

const h = new Harness();
let clean: Template;

beforeAll(async () => {
  await h.start();
  clean = await h.template({ seed: 7, bookings: 40, messagesPerBooking: 8 });
});
afterAll(async () => {
  await h.stop();
});

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function migrated(): Promise<{ s: Scenario; report: Report }> {
  const s = await h.scenario(clean);
  const r = await cli([...baseArgs(s), '--json']);
  expect(r.code, r.stderr).toBe(0);
  return { s, report: JSON.parse(r.stdout) as Report };
}

describe('dry run', () => {
  it('reports every trap, changes nothing, and exits 0 when everything maps', async () => {
    const s = await h.scenario(clean);
    const before = await h.dump(s);
    const files = storageSnapshot(s.storageDir);
    const r = await cli([...baseArgs(s), '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.outcome).toBe('would-migrate');
    const kinds = Object.keys(report.issues.byKind);
    for (const k of [
      'voice_message_in_messages_and_voice_notes', 'duplicate_voice_note_merged', 'approval_disagrees_with_message',
      'session_id_was_booking_id', 'duplicate_booking_session_merged', 'placeholder_session', 'placeholder_profile',
      'voice_note_message_missing_rebuilt_from_approval', 'voice_note_on_non_voice_message', 'reply_to_missing_message',
      'message_in_both_generations', 'booking_client_id_differs_from_user_id', 'review_without_reviewer', 'rejection_without_reason',
      'text_message_with_attachment', 'sender_missing', 'booking_missing', 'booking_referenced_by_its_booking_id_column',
      'flag_without_reason', 'flag_reason_without_flag',
    ]) expect(kinds, k).toContain(k);
    const noReason = report.issues.all.filter((i) => i.kind === 'flag_without_reason').map((i) => i.source_id);
    expect(noReason).toContain(clean.facts.traps.flaggedWithoutReason);
    expect(noReason).toContain(clean.facts.traps.legacyFlaggedWithoutReason);
    const orphans = report.issues.all.filter((i) => i.kind === 'sender_missing' || i.kind === 'booking_missing').map((i) => i.source_id);
    expect(orphans).toContain(clean.facts.traps.messageDeletedSender);
    expect(orphans).toContain(clean.facts.traps.messageMissingBooking);
    expect(report.issues.blocking).toBe(0);
    // The human report goes to stderr with --json and names the traps too.
    expect(r.stderr).toContain('approval_disagrees_with_message');
    expect(await h.dump(s)).toBe(before);
    expect(storageSnapshot(s.storageDir)).toEqual(files);
    expect(readdirSafe(s.backupDir)).toEqual([]);
  });

  it('exits non-zero and names the rows that would be lost; the real run refuses and changes nothing', async () => {
    const t = await h.template({ seed: 11, bookings: 12, messagesPerBooking: 5, unmappable: true });
    const s = await h.scenario(t);
    const before = await h.dump(s);
    const dry = await cli([...baseArgs(s), '--dry-run', '--json']);
    expect(dry.code).toBe(1);
    const report = JSON.parse(dry.stdout) as Report;
    expect(report.outcome).toBe('blocked');
    const blocking = report.issues.all.filter((i: Issue) => i.severity === 'blocking');
    const ids = blocking.map((i: Issue) => i.source_id);
    expect(ids).toContain(t.facts.traps.contextlessVoiceNote);
    expect(ids).toContain(t.facts.traps.missingFile);
    expect(ids).toContain(t.facts.traps.externalFile);
    expect(blocking.find((i: Issue) => i.source_id === t.facts.traps.missingFile)!.kind).toBe('file_not_found');
    expect(blocking.find((i: Issue) => i.source_id === t.facts.traps.externalFile)!.kind).toBe('file_outside_supabase_storage');

    const real = await cli([...baseArgs(s), '--json']);
    expect(real.code).toBe(1);
    expect(JSON.parse(real.stdout).outcome).toBe('refused');
    expect(await h.dump(s)).toBe(before);

    // Explicitly accepted: the voice note is kept in quarantine, the messages keep their planned path.
    const forced = await cli([...baseArgs(s), '--allow-quarantine', '--allow-missing-files', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    const q = await h.query<{ source_table: string; source_id: string; raw: { file_url?: string } }>(s, 'select * from consolidation.quarantine');
    expect(q.map((x) => x.source_id)).toContain(t.facts.traps.contextlessVoiceNote);
    expect(q.find((x) => x.source_id === t.facts.traps.contextlessVoiceNote)!.raw.file_url).toBeTruthy();
    const [gone] = await h.query<{ storage_path: string; type: string }>(s, 'select storage_path, type from chat_messages where id = $1', [t.facts.traps.missingFile]);
    expect(gone!.type).toBe('image');
    expect(gone!.storage_path).toMatch(/\/gone\.jpg$/);
    const again = await cli([...baseArgs(s), '--json']);
    expect(JSON.parse(again.stdout).outcome).toBe('nothing-to-do');
  });
});

describe('real run', () => {
  let s: Scenario;
  let report: Report;
  beforeAll(async () => {
    ({ s, report } = await migrated());
  });

  it('verifies counts per type and status and traces every source row in audit_log', async () => {
    expect(report.outcome).toBe('migrated');
    expect(report.verification!.ok).toBe(true);
    for (const c of report.verification!.counts) expect(c.actual, `${c.type}/${c.status}`).toBe(c.expected);
    expect(report.verification!.flags.map((f) => f.flagged)).toEqual([false, true]);
    for (const f of report.verification!.flags) expect(f.actual, `flagged=${f.flagged}`).toBe(f.expected);
    const acc = Object.fromEntries(report.verification!.accounting.map((a) => [a.source_table, a]));
    for (const a of report.verification!.accounting) expect(a.untraced, a.source_table).toBe(0);
    const [src] = await h.query<{ m: string; v: string; a: string }>(s, `select (select count(*) from public.messages) m, (select count(*) from public.voice_notes) v, (select count(*) from public.voice_note_approvals) a`);
    expect(acc['public.messages']!.rows).toBe(Number(src!.m));
    expect(acc['public.voice_notes']!.rows).toBe(Number(src!.v));
    expect(acc['public.voice_note_approvals']!.review).toBe(Number(src!.a));
    const untraced = await h.query(s, `
      with t as (select distinct source_table, source_id from audit_log where action in ('consolidate', 'consolidate_merge', 'consolidate_review', 'consolidate_quarantine', 'consolidate_placeholder'))
      select 'public.messages' tbl, id::text from public.messages m where not exists (select 1 from t where t.source_table = 'public.messages' and t.source_id = m.id::text)
      union all select 'public.voice_notes', id::text from public.voice_notes v where not exists (select 1 from t where t.source_table = 'public.voice_notes' and t.source_id = v.id::text)
      union all select 'public.voice_note_approvals', id::text from public.voice_note_approvals a where not exists (select 1 from t where t.source_table = 'public.voice_note_approvals' and t.source_id = a.id::text)
      union all select 'public.bookings', id::text from public.bookings b where not exists (select 1 from t where t.source_table = 'public.bookings' and t.source_id = b.id::text)
      union all select 'legacy.chat_sessions', id::text from legacy.chat_sessions x where not exists (select 1 from t where t.source_table = 'legacy.chat_sessions' and t.source_id = x.id::text)
      union all select 'legacy.chat_messages', id::text from legacy.chat_messages x where not exists (select 1 from t where t.source_table = 'legacy.chat_messages' and t.source_id = x.id::text)`);
    expect(untraced).toEqual([]);
  });

  it('loses no message: every old message id is a chat message, voice notes add exactly one audio message each where nothing else carries them', async () => {
    const [c] = await h.query<{ lost_messages: string; lost_legacy: string; audio: string; expected_audio: string }>(s, `
      select (select count(*) from public.messages m where not exists (select 1 from chat_messages t where t.id = m.id)) lost_messages,
             (select count(*) from legacy.chat_messages m where not exists (select 1 from chat_messages t where t.id = m.id)) lost_legacy,
             (select count(*) from chat_messages where type = 'audio') audio,
             -- independent expectation: voice rows of both message tables (a shared id counts once), plus voice notes
             -- not carried by a voice message row, minus a second voice note of the same message with the same file
             (select count(*) from (select id from public.messages where type = 'voice' union select id from legacy.chat_messages where type in ('voice','audio')) v)
             + (select count(*) from public.voice_notes vn where not exists (select 1 from public.messages m where m.id = vn.message_id and m.type = 'voice'))
             as expected_audio`);
    expect(Number(c!.lost_messages)).toBe(0);
    expect(Number(c!.lost_legacy)).toBe(0);
    expect(Number(c!.audio)).toBe(Number(c!.expected_audio));
    // The voice message recorded twice in voice_notes (same file) is one message.
    const dbl = clean.facts.traps.doubleVoiceNote!;
    const rows = await h.query<{ n: string }>(s, `select count(*) n from audit_log where row_id = $1 and source_table = 'public.voice_notes'`, [dbl]);
    expect(Number(rows[0]!.n)).toBe(2);
    const extra = await h.query(s, `select 1 from chat_messages t join audit_log a on a.row_id = t.id::text and a.action = 'consolidate'
      where a.source_table = 'public.voice_notes' and a.source_id in (select id::text from public.voice_notes where message_id = $1)`, [dbl]);
    expect(extra).toEqual([]);
  });

  it('keeps review decisions exactly: the latest voice_note_approvals row wins, with reviewer, time and reason', async () => {
    const mismatches = await h.query(s, `
      with latest as (select distinct on (message_id) * from public.voice_note_approvals order by message_id, updated_at desc, created_at desc, id desc)
      select t.id, t.status, l.status as approval, t.reviewed_by, l.reviewed_by as approval_reviewer, t.review_reason, l.review_notes
      from latest l join chat_messages t on t.id = l.message_id
      where t.type = 'audio' and (
        t.status <> case l.status when 'pending' then 'pending_approval' else l.status end
        or (l.status in ('approved','rejected') and l.reviewed_by is not null and t.reviewed_by <> l.reviewed_by)
        or (l.status in ('approved','rejected') and t.reviewed_at <> l.updated_at)
        or (l.review_notes is not null and t.review_reason is distinct from l.review_notes))`);
    expect(mismatches).toEqual([]);
    const [multi] = await h.query<{ status: string; review_reason: string }>(s, 'select status, review_reason from chat_messages where id = $1', [clean.facts.traps.multipleApprovals]);
    expect(multi).toEqual({ status: 'rejected', review_reason: 'Off-topic' });
    const [noReason] = await h.query<{ status: string; review_reason: string }>(s, 'select status, review_reason from chat_messages where id = $1', [clean.facts.traps.rejectedWithoutReason]);
    expect(noReason!.status).toBe('rejected');
    expect(noReason!.review_reason).toMatch(/no reason was recorded/);
    const [noReviewer] = await h.query<{ status: string; display_name: string }>(s, `select t.status, p.display_name from chat_messages t join profiles p on p.id = t.reviewed_by where t.id = $1`, [clean.facts.traps.approvedWithoutReviewer]);
    expect(noReviewer).toEqual({ status: 'approved', display_name: 'Unknown reviewer (legacy import)' });
    // Every disagreement between an approval and is_approved is in the report.
    const disagreements = await h.query<{ id: string }>(s, `
      with latest as (select distinct on (message_id) * from public.voice_note_approvals order by message_id, updated_at desc, created_at desc, id desc)
      select m.id::text from public.messages m join latest l on l.message_id = m.id where m.type = 'voice' and (l.status = 'approved') <> coalesce(m.is_approved, true)`);
    const reported = report.issues.all.filter((i: Issue) => i.kind === 'approval_disagrees_with_message').map((i: Issue) => i.target_id);
    for (const d of disagreements) expect(reported).toContain(d.id);
    expect(disagreements.length).toBeGreaterThan(0);
    // Legacy chat_messages statuses without an approval row are kept as they were.
    const legacyStatus = await h.query(s, `
      select lm.id from legacy.chat_messages lm join chat_messages t on t.id = lm.id
      where not exists (select 1 from public.voice_note_approvals a where a.message_id = lm.id)
        and t.status <> case when lm.is_deleted then 'deleted' else lm.status end`);
    expect(legacyStatus).toEqual([]);
  });

  it('puts one booking in one session, including sessions whose id was set to a booking id', async () => {
    const split = await h.query(s, `
      select b.id, count(distinct t.session_id) from public.bookings b
      join (select id, booking_id from public.messages) m on m.booking_id = b.id join chat_messages t on t.id = m.id
      group by b.id having count(distinct t.session_id) > 1`);
    expect(split).toEqual([]);
    const perBooking = await h.query(s, `select booking_id from chat_sessions where booking_id is not null group by 1 having count(*) > 1`);
    expect(perBooking).toEqual([]);
    const bookingsWithoutSession = await h.query(s, `select id from public.bookings b where not exists (select 1 from chat_sessions s where s.booking_id = b.id)`);
    expect(bookingsWithoutSession).toEqual([]);
    for (const trap of ['sessionIdIsBookingId', 'sessionIdIsBookingIdNoBookingColumn']) {
      const id = clean.facts.traps[trap]!;
      const [sess] = await h.query<{ booking_id: string }>(s, 'select booking_id from chat_sessions where id = $1', [id]);
      expect(sess!.booking_id, trap).toBe(id);
      const sessions = await h.query(s, `select distinct t.session_id from chat_messages t where t.id in (select id from public.messages where booking_id = $1 union select id from legacy.chat_messages where session_id = $1)`, [id]);
      expect(sessions.length, trap).toBeLessThanOrEqual(1);
    }
    const [alias] = await h.query<{ booking_id: string }>(s, `select s.booking_id from chat_messages t join chat_sessions s on s.id = t.session_id where t.id = $1`, [clean.facts.traps.messageByBookingAlias]);
    expect(alias!.booking_id).toBe(clean.facts.traps.aliasBooking);
    const [m] = await h.query<{ booking_id: string }>(s, `select s.booking_id from chat_messages t join chat_sessions s on s.id = t.session_id where t.id = $1`, [clean.facts.traps.legacyMessageBookingSession]);
    expect(m!.booking_id).toBeTruthy();
  });

  it('maps orphans to placeholders instead of dropping them', async () => {
    const [mb] = await h.query<{ status: string; booking_id: string }>(s, `select s.status, s.booking_id from chat_messages t join chat_sessions s on s.id = t.session_id where t.id = $1`, [clean.facts.traps.messageMissingBooking]);
    expect(mb).toEqual({ status: 'ended', booking_id: clean.facts.missingBookingId });
    const [ds] = await h.query<{ sender_id: string; display_name: string }>(s, `select t.sender_id, p.display_name from chat_messages t join profiles p on p.id = t.sender_id where t.id = $1`, [clean.facts.traps.messageDeletedSender]);
    expect(ds).toEqual({ sender_id: clean.facts.deletedUsers[1], display_name: 'Deleted user' });
    const [au] = await h.query<{ display_name: string }>(s, `select p.display_name from chat_messages t join profiles p on p.id = t.sender_id where t.id = $1`, [clean.facts.traps.messageAuthOnlySender]);
    expect(au!.display_name).not.toBe('Deleted user');
    const [ms] = await h.query<{ session_id: string }>(s, 'select session_id from chat_messages where id = $1', [clean.facts.traps.legacyMessageMissingSession]);
    expect(ms!.session_id).toBeTruthy();
    for (const trap of ['voiceNoteWithoutMessage', 'voiceNoteWithoutMessageOrBooking']) {
      const [v] = await h.query<{ type: string; status: string }>(s, 'select type, status from chat_messages where id = $1', [clean.facts.traps[trap]]);
      expect(v!.type, trap).toBe('audio');
    }
    const [reply] = await h.query<{ reply_to: string | null }>(s, 'select reply_to from chat_messages where id = $1', [clean.facts.traps.danglingReply]);
    expect(reply!.reply_to).toBeNull();
    const [audit] = await h.query<{ old_values: { reply_to?: string } }>(s, `select old_values from audit_log where source_table = 'public.messages' and source_id = $1`, [clean.facts.traps.danglingReply]);
    expect(audit!.old_values.reply_to).toBeTruthy();
  });

  it('keeps ids, timestamps, reply chains, read state, flags and waveforms', async () => {
    const diffs = await h.query(s, `select m.id from public.messages m join chat_messages t on t.id = m.id
      where t.created_at <> m.created_at or (t.sender_id is distinct from m.sender_id)
         or (m.reply_to is not null and exists (select 1 from chat_messages p where p.id = m.reply_to) and t.reply_to is distinct from m.reply_to)
         or (m.type = 'text' and m.file_url is null and t.body is distinct from m.content and not exists (select 1 from legacy.chat_messages l where l.id = m.id))`);
    expect(diffs).toEqual([]);
    const replies = await h.query<{ n: string }>(s, `select count(*) n from chat_messages where reply_to is not null`);
    expect(Number(replies[0]!.n)).toBeGreaterThan(0);
    const waves = await h.query(s, `select lm.id from legacy.chat_messages lm join chat_messages t on t.id = lm.id
      where lm.waveform_data is not null and t.waveform is distinct from (
        select array_agg(e::text::real order by o) from jsonb_array_elements(case when jsonb_typeof(lm.waveform_data) = 'array' then lm.waveform_data else lm.waveform_data -> 'peaks' end) with ordinality x(e, o))`);
    expect(waves).toEqual([]);
    // read_by: every reader of a legacy message has read at least up to it.
    const unread = await h.query(s, `select lm.id, r.uid from legacy.chat_messages lm cross join unnest(lm.read_by) r(uid)
      join chat_messages t on t.id = lm.id
      join chat_participants p on p.session_id = t.session_id and p.user_id = r.uid
      where p.last_read_at is null or p.last_read_at < lm.created_at`);
    expect(unread).toEqual([]);
    // is_read on the oldest table: the other side has read it.
    const unreadOld = await h.query(s, `select m.id from public.messages m join chat_messages t on t.id = m.id
      where m.is_read and not exists (select 1 from chat_participants p where p.session_id = t.session_id and p.user_id <> m.sender_id
        and p.role_in_session in ('client','reader') and p.last_read_at >= m.created_at)
        and exists (select 1 from chat_participants p where p.session_id = t.session_id and p.user_id <> m.sender_id and p.role_in_session in ('client','reader'))`);
    expect(unreadOld).toEqual([]);
    // Flags: every message's flag state equals its source rows' (either twin of a message kept in
    // both generations), the recorded reason is kept verbatim, flagged_at is the message's time,
    // nobody is named as the flagger, and the original values stay in the audit trail.
    const flagDiffs = await h.query(s, `
      with src as (
        select id, bool_or(f) f, (array_agg(r order by prio) filter (where r is not null))[1] r from (
          select lm.id, coalesce(lower(lm.metadata ->> 'flagged') = 'true' or lower(lm.metadata ->> 'is_flagged') = 'true', false) f,
                 nullif(btrim(coalesce(lm.metadata ->> 'flagged_reason', lm.metadata ->> 'flag_reason')), '') r, 1 prio
          from legacy.chat_messages lm
          union all select m.id, coalesce(m.flagged, false), case when m.flagged then nullif(btrim(m.flagged_reason), '') end, 2 from public.messages m) x
        group by id)
      select t.id, t.flagged, t.flagged_reason, src.f, src.r from src join chat_messages t on t.id = src.id
      where t.flagged <> src.f
         or t.flagged_reason is distinct from case when src.f then coalesce(src.r, '(no reason was recorded)') end
         or t.flagged_at is distinct from case when src.f then t.created_at end
         or t.flagged_by is not null`);
    expect(flagDiffs).toEqual([]);
    const byState = await h.query<{ flagged: boolean; n: string }>(s, `select flagged, count(*) n from chat_messages group by 1 order by 1`);
    const srcFlagged = await h.query<{ n: string }>(s, `select count(distinct id) n from (
      select id from public.messages where flagged union all
      select id from legacy.chat_messages where lower(metadata ->> 'flagged') = 'true' or lower(metadata ->> 'is_flagged') = 'true') x`);
    expect(Number(byState.find((r) => r.flagged)?.n ?? 0)).toBe(Number(srcFlagged[0]!.n));
    expect(Number(srcFlagged[0]!.n)).toBeGreaterThanOrEqual(4);
    const traps = clean.facts.traps;
    const pick = async (id: string | undefined) => (await h.query<{ flagged: boolean; flagged_reason: string | null }>(s,
      'select flagged, flagged_reason from chat_messages where id = $1', [id]))[0];
    expect(await pick(traps.flaggedWithoutReason)).toEqual({ flagged: true, flagged_reason: '(no reason was recorded)' });
    expect(await pick(traps.legacyFlaggedWithoutReason)).toEqual({ flagged: true, flagged_reason: '(no reason was recorded)' });
    expect(await pick(traps.legacyFlagged)).toEqual({ flagged: true, flagged_reason: 'Abusive language' });
    expect(await pick(traps.flagReasonWithoutFlag)).toEqual({ flagged: false, flagged_reason: null });
    expect((await pick(traps.messageInBothGenerations))!.flagged).toBe(true);
    const flags = await h.query(s, `select m.id from public.messages m where m.flagged and not exists (
      select 1 from audit_log a where a.source_table in ('public.messages', 'legacy.chat_messages') and a.source_id = m.id::text
        and a.action in ('consolidate', 'consolidate_merge') and (a.old_values ->> 'flagged')::boolean
        and a.old_values ->> 'flagged_reason' is not distinct from m.flagged_reason)`);
    expect(flags).toEqual([]);
  });

  it('copies every file into chat-files under {session}/{message}/{name}, verified, originals untouched', async () => {
    const rows = await h.query<{ id: string; session_id: string; storage_path: string; size_bytes: string; src_bucket: string; src_path: string; sha256: string }>(s, `
      select t.id, t.session_id, t.storage_path, t.size_bytes, c.src_bucket, c.src_path, c.sha256
      from chat_messages t left join consolidation.storage_copies c on c.message_id = t.id where t.storage_path is not null`);
    expect(rows.length).toBeGreaterThan(50);
    for (const r of rows) {
      expect(r.storage_path.startsWith(`${r.session_id}/${r.id}/`)).toBe(true);
      expect(r.src_bucket, r.id).toBeTruthy();
      const copy = path.join(s.storageDir, 'chat-files', r.storage_path);
      const orig = path.join(s.storageDir, r.src_bucket, r.src_path);
      expect(sha(copy)).toBe(r.sha256);
      expect(sha(orig)).toBe(r.sha256);
      expect(readFileSync(copy).length).toBe(Number(r.size_bytes));
    }
    const objects = await h.query(s, `select t.id from chat_messages t where t.storage_path is not null
      and not exists (select 1 from storage.objects o where o.bucket_id = 'chat-files' and o.name = t.storage_path)`);
    expect(objects).toEqual([]);
  });

  it('a second run is a no-op', async () => {
    const before = await h.dump(s);
    const files = storageSnapshot(s.storageDir);
    const r = await cli([...baseArgs(s), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).outcome).toBe('nothing-to-do');
    expect(await h.dump(s)).toBe(before);
    expect(storageSnapshot(s.storageDir)).toEqual(files);
  });

  it('a later run carries over only what the old app wrote since, and never touches what the console changed', async () => {
    const [b] = await h.query<{ booking_id: string; sender_id: string; id: string }>(s, `select booking_id, sender_id, id from public.messages where type = 'text' limit 1`);
    const late = '7a1c1d3e-0000-4000-8000-000000000001';
    await h.query(s, `insert into public.messages (id, booking_id, sender_id, type, content) values ($1, $2, $3, 'text', 'written after the first run')`, [late, b!.booking_id, b!.sender_id]);
    // The console deleted a migrated message meanwhile: it must stay deleted.
    await h.query(s, `update chat_messages set status = 'deleted' where id = $1`, [b!.id]);
    const r = await cli([...baseArgs(s), '--json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.outcome).toBe('migrated');
    expect(report.written!.messages).toBe(1);
    expect(report.written!.sessions).toBe(0);
    const rows = await h.query<{ id: string; status: string; session_id: string }>(s, 'select id, status, session_id from chat_messages where id in ($1, $2) order by id', [late, b!.id]);
    expect(rows.find((x) => x.id === b!.id)!.status).toBe('deleted');
    expect(rows.find((x) => x.id === late)!.status).toBe('sent');
    const [sess] = await h.query<{ booking_id: string }>(s, 'select booking_id from chat_sessions where id = $1', [rows.find((x) => x.id === late)!.session_id]);
    expect(sess!.booking_id).toBe(b!.booking_id);
  });
});

describe('failure half-way', () => {
  it('leaves the database and storage exactly as they were', async () => {
    const s = await h.scenario(clean);
    const before = await h.dump(s);
    const files = storageSnapshot(s.storageDir);
    const r = await cli([...baseArgs(s)], { CONSOLIDATE_FAIL_AFTER_ROWS: '150' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/injected failure after 150 messages/);
    expect(await h.dump(s)).toBe(before);
    expect(storageSnapshot(s.storageDir)).toEqual(files);
    // A backup was taken before the attempt; then the real run still works.
    expect(readdirSafe(s.backupDir).length).toBe(1);
    const ok = await cli([...baseArgs(s), '--json']);
    expect(JSON.parse(ok.stdout).outcome).toBe('migrated');
  });
});

describe('backup', () => {
  it('no backup, no change: a backup that cannot be written stops the run before anything changes', async () => {
    const s = await h.scenario(clean);
    const before = await h.dump(s);
    const files = storageSnapshot(s.storageDir);
    const r = await cli(['--db-url', s.url, '--storage-dir', s.storageDir, '--backup-dir', '/dev/null/cannot-be-a-folder']);
    expect(r.code).toBe(2);
    expect(await h.dump(s)).toBe(before);
    expect(storageSnapshot(s.storageDir)).toEqual(files);
  });

  it('holds a custom-format dump of every touched table and a checksummed manifest of every object', async () => {
    const s = await h.scenario(clean);
    const r = await cli([...baseArgs(s), '--json']);
    const report = JSON.parse(r.stdout) as Report;
    const dir = report.backupDir!;
    expect(readFileSync(path.join(dir, 'database.dump')).subarray(0, 5).toString()).toBe('PGDMP');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const names = manifest.tables.map((t: { name: string }) => t.name);
    for (const t of ['public.chat_messages', 'public.chat_sessions', 'public.chat_participants', 'public.audit_log', 'public.profiles', 'storage.objects', 'public.messages', 'public.voice_notes', 'public.voice_note_approvals', 'legacy.chat_messages', 'legacy.chat_sessions']) expect(names).toContain(t);
    const snap = storageSnapshot(s.storageDir);
    for (const [bucket, objects] of Object.entries(manifest.storage as Record<string, { path: string; sha256: string }[]>)) {
      for (const o of objects) expect(snap[`${bucket}/${o.path}`], `${bucket}/${o.path}`).toBe(o.sha256);
    }
    const listed = Object.values(manifest.storage as Record<string, unknown[]>).reduce((n, l) => n + l.length, 0);
    // Before the run: every original object; the copies came after the backup.
    expect(listed).toBe(Object.keys(storageSnapshot(clean.storageDir)).length);
  });
});

describe('data the fixtures did not plan for', () => {
  it('maps odd spellings, encoded Arabic file names, content-type parameters and missing timestamps; refuses unknown types by name', async () => {
    const s = await h.scenario(clean);
    const [sess] = await h.query<{ id: string; sender: string }>(s, `select id, participants[1] as sender from legacy.chat_sessions where type = 'booking' and booking_id is not null limit 1`);
    const name = `${sess!.id}/رسالة صوتية 1.webm`;
    const file = path.join(s.storageDir, 'voice-notes', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from('opus-bytes'));
    await h.query(s, `insert into storage.objects (bucket_id, name, metadata) values ('voice-notes', $1, '{"size": 10, "mimetype": "audio/webm;codecs=opus"}')`, [name]);
    const url = `https://abcdefghijklmnopqrst.supabase.co/storage/v1/object/public/voice-notes/${name.split('/').map(encodeURIComponent).join('/')}`;
    const odd = '6f1c1d3e-0000-4000-8000-000000000001';
    await h.query(s, `insert into legacy.chat_messages (id, session_id, sender_id, type, status, file_url, file_type, waveform_data, created_at, duration_seconds)
      values ($1, $2, $3, 'Voice', 'DELIVERED', $4, 'audio/webm;codecs=opus', '{"peaks": ["loud", "quiet"]}', null, -5)`, [odd, sess!.id, sess!.sender, url]);
    const sticker = '6f1c1d3e-0000-4000-8000-000000000002';
    await h.query(s, `insert into public.messages (id, booking_id, sender_id, type, content) select $1, booking_id, sender_id, 'sticker', ':)' from public.messages limit 1`, [sticker]);

    // The console already opened a session for a booking that also has a legacy session.
    const [lsb] = await h.query<{ id: string; booking_id: string }>(s, `select id, booking_id from legacy.chat_sessions where booking_id is not null and booking_id <> id and type = 'booking' order by id limit 1`);
    const consoleSession = '6f1c1d3e-0000-4000-8000-0000000000aa';
    await h.query(s, `insert into chat_sessions (id, type, status, booking_id) values ($1, 'booking', 'active', $2)`, [consoleSession, lsb!.booking_id]);
    // public.messages.booking_id holding a legacy session id (the reverse of the known trap).
    const viaSession = '6f1c1d3e-0000-4000-8000-000000000003';
    await h.query(s, `insert into public.messages (id, booking_id, sender_id, type, content) values ($1, $2, $3, 'text', 'booking id was a session id')`,
      [viaSession, clean.facts.traps.generalSession, clean.facts.users.clients[4]]);

    const dry = await cli([...baseArgs(s), '--dry-run', '--json']);
    expect(dry.code, dry.stderr.slice(-1500)).toBe(1);
    const blocking = (JSON.parse(dry.stdout) as Report).issues.all.filter((i) => i.severity === 'blocking');
    expect(blocking.map((i) => [i.kind, i.source_id])).toEqual([['unknown_message_type', sticker]]);

    await h.query(s, 'delete from public.messages where id = $1', [sticker]);
    const r = await cli([...baseArgs(s), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.issues.all.find((i) => i.source_id === odd && i.kind === 'waveform_not_convertible')).toBeTruthy();
    expect(report.issues.all.find((i) => i.source_id === odd && i.kind === 'invalid_duration_or_size')).toBeTruthy();
    const [m] = await h.query<{ type: string; status: string; mime_type: string; storage_path: string; created_at: Date; waveform: number[] | null; session_id: string }>(s,
      'select type, status, mime_type, storage_path, created_at, waveform, session_id from chat_messages where id = $1', [odd]);
    expect(m!.type).toBe('audio');
    expect(m!.status).toBe('sent');
    expect(m!.mime_type).toBe('audio/webm');
    expect(m!.waveform).toBeNull();
    expect(m!.created_at).toBeTruthy();
    expect(m!.storage_path).toMatch(new RegExp(`^${m!.session_id}/${odd}/[A-Za-z0-9._-]+\\.webm$`));
    expect(readFileSync(path.join(s.storageDir, 'chat-files', m!.storage_path)).toString()).toBe('opus-bytes');
    const joined = await h.query<{ session_id: string }>(s, `select distinct session_id from chat_messages where id in (select id from legacy.chat_messages where session_id = $1)`, [lsb!.id]);
    expect(joined.map((j) => j.session_id)).toEqual([consoleSession]);
    expect(report.issues.all.find((i) => i.kind === 'legacy_session_joins_console_session' && i.source_id === lsb!.id)).toBeTruthy();
    const [v] = await h.query<{ session_id: string }>(s, 'select session_id from chat_messages where id = $1', [viaSession]);
    expect(v!.session_id).toBe(clean.facts.traps.generalSession);
    expect(report.issues.all.find((i) => i.kind === 'booking_id_is_a_session_id' && i.source_id === viaSession)).toBeTruthy();
  });
});

describe('verification', () => {
  it('rolls everything back and names the rows when what landed differs from the plan', async () => {
    const s = await h.scenario(clean);
    // A rewrite rule (unlike a trigger, not switched off for the import) silently downgrades
    // approved voice notes: exactly the kind of difference only a comparison would catch.
    await h.query(s, `create rule tamper as on insert to public.chat_messages where new.status = 'approved'
      do also update public.chat_messages set status = 'sent' where id = new.id`);
    const before = await h.dump(s);
    const files = storageSnapshot(s.storageDir);
    const r = await cli([...baseArgs(s)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/verification failed, everything was rolled back/);
    const approved = await h.query<{ message_id: string }>(s, `select message_id::text from public.voice_note_approvals where status = 'approved' limit 1`);
    expect(r.stderr).toContain('status sent, expected approved');
    expect(approved.length).toBe(1);
    // Sequences are not transactional: the audit_log identity counter moved, nothing else did.
    expect(stripIdentity(await h.dump(s))).toBe(stripIdentity(before));
    expect(storageSnapshot(s.storageDir)).toEqual(files);
  });

  it('rolls back when a moderation flag is lost on the way', async () => {
    const s = await h.scenario(clean);
    await h.query(s, `create rule drop_flags as on insert to public.chat_messages where new.flagged
      do also update public.chat_messages set flagged = false, flagged_reason = null, flagged_at = null where id = new.id`);
    const before = await h.dump(s);
    const r = await cli([...baseArgs(s)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/verification failed, everything was rolled back/);
    expect(r.stderr).toContain('flag differs');
    expect(stripIdentity(await h.dump(s))).toBe(stripIdentity(before));
  });
});

describe('restore and finalize', () => {
  it('restore puts database and storage back as they were before the run', async () => {
    const s = await h.scenario(clean);
    // consolidation.* bookkeeping tables are created by the run; restore empties them rather than dropping.
    const before = await h.dump(s, ['--exclude-schema=consolidation']);
    const files = storageSnapshot(s.storageDir);
    const r = await cli([...baseArgs(s), '--json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.outcome).toBe('migrated');
    expect(storageSnapshot(s.storageDir)).not.toEqual(files);
    const back = await cli([...baseArgs(s), '--restore', report.backupDir!]);
    expect(back.code, back.stderr).toBe(0);
    expect(stripIdentity(await h.dump(s, ['--exclude-schema=consolidation']))).toBe(stripIdentity(before));
    expect(storageSnapshot(s.storageDir)).toEqual(files);
    expect(await h.query(s, 'select * from consolidation.runs')).toEqual([]);
  });

  it('finalize refuses before a run and while something depends on a legacy table; then drops, removes originals, and can be restored', async () => {
    const s = await h.scenario(clean);
    const first = await cli([...baseArgs(s), '--finalize']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/run the consolidation first/);
    expect((await cli([...baseArgs(s), '--json'])).code).toBe(0);

    await h.query(s, `create table public.platform_refs (message_id uuid references public.messages (id)); insert into public.platform_refs select id from public.messages limit 1`);
    const blocked = await cli([...baseArgs(s), '--finalize']);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/foreign key .* on platform_refs references messages/);
    expect((await h.query(s, `select to_regclass('public.messages') r`))[0]).toEqual({ r: 'messages' });
    await h.query(s, 'drop table public.platform_refs');

    const dryFinal = await cli([...baseArgs(s), '--finalize', '--dry-run']);
    expect(dryFinal.code, dryFinal.stdout).toBe(0);
    expect(dryFinal.stdout).toMatch(/dry run: nothing was changed/);
    expect((await h.query(s, `select to_regclass('public.voice_notes') r`))[0]).toEqual({ r: 'voice_notes' });

    const beforeFinal = await h.dump(s, ['--exclude-schema=consolidation']);
    const filesBefore = storageSnapshot(s.storageDir);
    const fin = await cli([...baseArgs(s), '--finalize', '--json']);
    expect(fin.code, fin.stderr + fin.stdout).toBe(0);
    const result = JSON.parse(fin.stdout);
    expect(result.dropped.sort()).toEqual(['legacy.chat_messages', 'legacy.chat_participants', 'legacy.chat_sessions', 'public.messages', 'public.voice_note_approvals', 'public.voice_notes']);
    const left = await h.query(s, `select to_regclass('public.messages') m, to_regclass('legacy.chat_messages') l, to_regclass('legacy.emergency_calls') e, to_regclass('public.bookings') b`);
    expect(left[0]).toEqual({ m: null, l: null, e: 'legacy.emergency_calls', b: 'bookings' });
    // Unreferenced objects keep their bucket; the bucket whose objects all moved is gone.
    const buckets = readdirSync(s.storageDir).sort();
    expect(buckets).toContain('chat-attachments');
    expect(Object.keys(storageSnapshot(path.join(s.storageDir, 'chat-attachments')))).toEqual(['unreferenced/old-avatar.png']);
    expect(buckets).not.toContain('voice-notes');
    // Every message still has its file.
    const missing = await h.query<{ storage_path: string }>(s, 'select storage_path from chat_messages where storage_path is not null');
    for (const m of missing) expect(readFileSync(path.join(s.storageDir, 'chat-files', m.storage_path)).length).toBeGreaterThan(0);
    // Consolidating again after finalize: nothing to do.
    const again = await cli([...baseArgs(s), '--json']);
    expect(JSON.parse(again.stdout).outcome).toBe('nothing-to-do');

    // The finalize backup brings the tables and the removed originals back.
    const back = await cli([...baseArgs(s), '--restore', result.backupDir]);
    expect(back.code, back.stderr).toBe(0);
    expect(stripIdentity(await h.dump(s, ['--exclude-schema=consolidation']))).toBe(stripIdentity(beforeFinal));
    expect(storageSnapshot(s.storageDir)).toEqual(filesBefore);
  });
});

describe('npm run consolidate', () => {
  it('is wired to the command (dry run through npm, JSON on stdout)', async () => {
    const s = await h.scenario(clean);
    const { execFile } = await import('node:child_process');
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('npm', ['run', '--silent', 'consolidate', '--', ...baseArgs(s), '--dry-run', '--json'], { cwd: path.resolve(import.meta.dirname, '../..'), maxBuffer: 64 * 1024 * 1024 },
        (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }));
    });
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as Report).outcome).toBe('would-migrate');
  });
});

describe('legacy fixture', () => {
  it('has the live column names, types, nullability and defaults of the chat tables (live-columns.csv)', async () => {
    const t = await h.template({ seed: 5, bookings: 10, messagesPerBooking: 4, schema: false });
    const s = await h.scenario(t);
    const { readLiveColumns } = await import('./support/legacy-schema.ts');
    const tables = ['users', 'profiles', 'bookings', 'messages', 'voice_notes', 'voice_note_approvals', 'chat_sessions', 'chat_messages',
      'chat_participants', 'emergency_calls', 'notifications', 'app_settings', 'buckets', 'objects'];
    const live = readLiveColumns().filter((c) => tables.includes(c.table) && ['public', 'auth', 'storage'].includes(c.schema)
      && !(c.schema === 'public' && c.table === 'users'));
    const built = await h.query<{ table_schema: string; table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(s,
      `select table_schema, table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
       where (table_schema, table_name) in (select unnest($1::text[]), unnest($2::text[]))`, [live.map((c) => c.schema), live.map((c) => c.table)]);
    const key = (a: string, b: string, c: string) => `${a}.${b}.${c}`;
    const have = new Map(built.map((b) => [key(b.table_schema, b.table_name, b.column_name), b]));
    for (const c of live) {
      const b = have.get(key(c.schema, c.table, c.column));
      expect(b, key(c.schema, c.table, c.column)).toBeTruthy();
      expect(b!.data_type, key(c.schema, c.table, c.column)).toBe(c.dataType);
      expect(b!.is_nullable === 'YES', key(c.schema, c.table, c.column)).toBe(c.nullable);
      expect(b!.column_default === null, key(c.schema, c.table, c.column)).toBe(c.default === null);
    }
    expect(live.length).toBeGreaterThan(250);
  });
});

describe('command line', () => {
  it('refuses bad usage and a database without the unified schema, with a clear message', async () => {
    const bad = await cli(['--db-url']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--db-url needs a value/);
    const unknown = await cli(['--db-url', 'postgres://x', '--frobnicate']);
    expect(unknown.code).toBe(64);
    const noDb = await cli(['--db-url', 'postgres://postgres@127.0.0.1:1/none', '--storage-dir', h.work, '--dry-run']);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/cannot connect to the database/);
    const t = await h.template({ seed: 3, bookings: 10, messagesPerBooking: 4, schema: false });
    const s = await h.scenario(t);
    const r = await cli([...baseArgs(s), '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/apply the unified schema|not the unified schema/);
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Identity/sequence positions are not transactional and are not restored backwards. */
function stripIdentity(dump: string): string {
  return dump.split('\n').filter((l) => !/^SELECT pg_catalog\.setval\(/.test(l)).join('\n');
}
