// The review queue (..._review_queue.sql): claims with expiry between two reviewers, a super admin's
// decision never blocked, release on moving away, bulk approval that reports each note, and the
// rejection reasons (RLS: staff read, admins write) reaching the sender in their language. Each case
// runs in a transaction that is rolled back, as the other workflows.
import { ID } from './fixtures';
import { voiceNote, type Ctx, type Workflow } from './workflows';

type Claim = { message_id: string; claimed_by: string; claimed_by_name: string; claimed_at: string; expires_at: string };
type Outcome = { message_id: string; outcome: string; error_code: string | null; detail: Record<string, unknown> };

const detailOf = (e: { detail?: string }) => JSON.parse(e.detail ?? '{}') as Record<string, unknown>;

async function claimBroadcasts(c: Ctx, messageId: string): Promise<(Record<string, unknown> | null)[]> {
  await c.as('postgres');
  const rows = await c.rows<{ payload: { claim: Record<string, unknown> | null } }>(
    `select payload from realtime.messages where topic = 'staff:approvals' and event = 'review_claim' and payload ->> 'message_id' = $1 order by inserted_at, id`,
    [messageId],
  );
  return rows.map((r) => r.payload.claim);
}

async function addReason(c: Ctx, en: string, ar: string): Promise<string> {
  await c.as('admin');
  const r = await c.one<{ id: string }>(`select * from public.save_rejection_reason(p_label_en => $1, p_label_ar => $2)`, [en, ar]);
  return r.id;
}

export const REVIEW_QUEUE_WORKFLOWS: Workflow[] = [
  {
    name: 'review queue: a claim shows who reviews a note until when; another reviewer can neither claim nor decide it (approve, reject, reject with a reason)',
    async run(c) {
      const note = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('monitor');
      const claim = await c.one<Claim>(`select * from public.claim_review($1)`, [note]);
      c.eq([claim.message_id, claim.claimed_by, claim.claimed_by_name], [note, ID.monitor, 'Monitor'], 'the claim');
      const seconds = (new Date(claim.expires_at).getTime() - new Date(claim.claimed_at).getTime()) / 1000;
      c.eq(seconds, 120, 'console.review.claim_seconds (default 120)');
      await c.as('admin');
      const seen = await c.rows<Claim>(`select * from public.review_claims()`);
      c.eq(seen.map((x) => [x.message_id, x.claimed_by_name]), [[note, 'Monitor']], 'another reviewer sees it');
      for (const sql of [
        `select * from public.claim_review($1)`,
        `select * from public.review_audio($1, 'approve')`,
        `select * from public.review_audio($1, 'reject', 'no')`,
        `select * from public.reject_audio($1, null, 'no')`,
      ]) {
        const e = await c.fails('SA510', sql, [note], 'review.claimed');
        const d = detailOf(e);
        c.eq([d.claimed_by, d.claimed_by_name, new Date(String(d.expires_at)).getTime()], [ID.monitor, 'Monitor', new Date(claim.expires_at).getTime()], `refusal names the claimer and the expiry: ${sql}`);
      }
      await c.as('postgres');
      c.eq((await c.one(`select status from public.chat_messages where id = $1`, [note])).status, 'pending_approval', 'still pending');
      // Renewing one's own claim keeps when it began.
      await c.as('monitor');
      const renewed = await c.one<Claim>(`select * from public.claim_review($1)`, [note]);
      c.eq(renewed.claimed_at, claim.claimed_at, 'a renewal keeps claimed_at');
      const b = await claimBroadcasts(c, note);
      c.ok(b.length >= 1 && b[0] != null && b[0].claimed_by_name === 'Monitor', `the claim is broadcast on staff:approvals: ${JSON.stringify(b)}`);
      for (const who of ['client', 'reader'] as const) {
        await c.as(who);
        await c.fails('SA440', `select * from public.claim_review($1)`, [note], 'review.forbidden');
        await c.fails('SA440', `select * from public.review_claims()`, [], 'review.forbidden');
        await c.rows(`select set_config('realtime.topic', 'staff:approvals', true)`);
        c.eq(await c.n(`select 1 from realtime.messages where event = 'review_claim'`), 0, `${who} reads no claim`);
      }
    },
  },
  {
    name: 'review queue: a claim expires by itself; the next reviewer takes the note and decides it; the first decision still wins',
    async run(c) {
      const note = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('monitor');
      await c.one(`select * from public.claim_review($1)`, [note]);
      await c.as('postgres');
      await c.exec(`update public.review_claims set claimed_at = now() - interval '10 minutes', expires_at = now() - interval '1 second'`);
      await c.as('admin');
      c.eq(await c.n(`select * from public.review_claims()`), 0, 'an expired claim is none');
      const taken = await c.one<Claim>(`select * from public.claim_review($1)`, [note]);
      c.eq(taken.claimed_by, ID.admin, 'taken over after expiry');
      await c.as('monitor');
      await c.fails('SA510', `select * from public.review_audio($1, 'approve')`, [note], 'review.claimed');
      await c.as('admin');
      const decided = await c.one(`select * from public.review_audio($1, 'approve')`, [note]);
      c.eq([decided.status, decided.reviewed_by], ['approved', ID.admin], 'the claimer decides');
      await c.as('postgres');
      c.eq(await c.n(`select 1 from public.review_claims where message_id = $1`, [note]), 0, 'the decision ended the claim');
      c.ok((await claimBroadcasts(c, note)).includes(null), 'the end of the claim is broadcast');
      await c.as('monitor');
      const late = await c.fails('SA443', `select * from public.review_audio($1, 'reject', 'late')`, [note], 'review.already_decided');
      c.eq(detailOf(late).reviewed_by, ID.admin, 'the second is told who decided');
      await c.fails('SA443', `select * from public.claim_review($1)`, [note], 'review.already_decided');
      // Decided by an expired claim's holder too: an expired claim blocks nobody.
      const other = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('monitor');
      await c.one(`select * from public.claim_review($1)`, [other]);
      await c.as('postgres');
      await c.exec(`update public.review_claims set claimed_at = now() - interval '10 minutes', expires_at = now() - interval '1 second' where message_id = '${other}'`);
      await c.as('admin');
      c.eq((await c.one(`select * from public.review_audio($1, 'approve')`, [other])).status, 'approved', 'an expired claim does not block');
    },
  },
  {
    name: 'review queue: a claim never blocks a super admin, who decides without taking it; the four-eyes rule still holds',
    async run(c) {
      const note = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('monitor');
      await c.one(`select * from public.claim_review($1)`, [note]);
      await c.as('superAdmin');
      await c.fails('SA510', `select * from public.claim_review($1)`, [note], 'review.claimed');
      const r = await c.one(`select * from public.reject_audio($1, null, 'not for the client')`, [note]);
      c.eq([r.status, r.reviewed_by, r.review_reason], ['rejected', ID.superAdmin, 'not for the client'], 'the super admin decided');
      await c.as('postgres');
      c.eq(await c.n(`select 1 from public.review_claims`), 0, 'the claim ended with the decision');
      // Four eyes: a super admin's own note is still not theirs to decide (review_audio's SA447).
      const own = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('superAdmin');
      await c.rows(`select public.set_role($1, 'super_admin')`, [ID.reader]);
      await c.as('reader');
      await c.fails('SA447', `select * from public.claim_review($1)`, [own], 'review.own_message');
      await c.fails('SA447', `select * from public.review_audio($1, 'approve')`, [own], 'review.own_message');
    },
  },
  {
    name: 'review queue: moving to another note or leaving releases the claim; the sender withdrawing the note ends it',
    async run(c) {
      const a = String((await voiceNote(c, 'reader', ID.s1)).id);
      const b = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('monitor');
      await c.one(`select * from public.claim_review($1)`, [a]);
      await c.one(`select * from public.claim_review($1)`, [b]);
      const held = await c.rows<Claim>(`select * from public.review_claims()`);
      c.eq(held.map((x) => x.message_id), [b], 'one note at a time: claiming b let go of a');
      await c.as('admin');
      c.eq(await c.n(`select * from public.claim_review($1)`, [a]), 1, 'a is free for the next reviewer');
      await c.as('monitor');
      c.eq((await c.one<{ n: number }>(`select public.release_review($1) as n`, [a])).n, 0, "releasing another's claim releases nothing");
      c.eq((await c.one<{ n: number }>(`select public.release_review($1) as n`, [b])).n, 1, 'released b (moved away)');
      await c.one(`select * from public.claim_review($1)`, [b]);
      c.eq((await c.one<{ n: number }>(`select public.release_review() as n`)).n, 1, 'released everything (window closed)');
      await c.as('reader');
      c.eq((await c.one<{ n: number }>(`select public.release_review() as n`)).n, 0, 'a reader holds none');
      await c.as('admin');
      c.eq(await c.n(`select * from public.review_claims()`), 1, "the admin's claim on a stays");
      await c.as('reader');
      await c.one(`select * from public.delete_message($1)`, [a]);
      await c.as('admin');
      c.eq(await c.n(`select * from public.review_claims()`), 0, 'a withdrawn note has no claim');
    },
  },
  {
    name: 'review queue: bulk approve reports each note (approved, already decided by someone else, claimed, not found) and one failure does not stop the rest',
    async run(c) {
      const n1 = String((await voiceNote(c, 'reader', ID.s1)).id);
      const n2 = String((await voiceNote(c, 'reader', ID.s1)).id);
      const n3 = String((await voiceNote(c, 'reader', ID.s1)).id);
      const n4 = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('admin');
      await c.one(`select * from public.review_audio($1, 'reject', 'first')`, [n2]);
      await c.one(`select * from public.claim_review($1)`, [n3]);
      await c.as('monitor');
      const out = await c.rows<Outcome>(`select * from public.bulk_approve($1::uuid[])`, [`{${n1},${n2},${n3},${ID.text},${n4},${n1}}`]);
      c.eq(out.map((o) => [o.message_id, o.outcome, o.error_code]), [
        [n1, 'approved', null], [n2, 'already_decided', 'SA443'], [n3, 'claimed', 'SA510'], [ID.text, 'not_found', 'SA405'], [n4, 'approved', null],
      ], 'one row per distinct note, in order');
      c.eq([out[1]!.detail.status, out[1]!.detail.reviewed_by, out[1]!.detail.reviewed_by_name], ['rejected', ID.admin, 'Admin'], 'who decided first');
      c.eq([out[2]!.detail.claimed_by, out[2]!.detail.claimed_by_name, typeof out[2]!.detail.expires_at], [ID.admin, 'Admin', 'string'], 'who holds the claim, until when');
      await c.as('postgres');
      const st = await c.rows<{ id: string; status: string; reviewed_by: string }>(`select id, status, reviewed_by from public.chat_messages where id = any ($1::uuid[]) order by created_at, id`, [`{${n1},${n2},${n3},${n4}}`]);
      const byId = new Map(st.map((r) => [r.id, [r.status, r.reviewed_by]]));
      c.eq([byId.get(n1), byId.get(n2), byId.get(n3), byId.get(n4)], [['approved', ID.monitor], ['rejected', ID.admin], ['pending_approval', null], ['approved', ID.monitor]], 'statuses after');
      await c.as('monitor');
      await c.fails('SA400', `select * from public.bulk_approve('{}'::uuid[])`, [], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.bulk_approve(null)`, [], 'request.invalid_argument');
      const many = `{${Array.from({ length: 101 }, () => n1).join(',')}}`;
      const e = await c.fails('SA400', `select * from public.bulk_approve($1::uuid[])`, [many], 'request.invalid_argument');
      c.eq(detailOf(e).max, 100, 'console.review.bulk_max, refused rather than cut');
      await c.as('superAdmin');
      const sa = await c.rows<Outcome>(`select * from public.bulk_approve($1::uuid[])`, [`{${n3}}`]);
      c.eq(sa.map((o) => o.outcome), ['approved'], "a super admin's bulk approval is not blocked by a claim");
      await c.as('reader');
      await c.fails('SA440', `select * from public.bulk_approve($1::uuid[])`, [`{${n1}}`], 'review.forbidden');
    },
  },
  {
    name: 'review queue: the pending count for staff only',
    async run(c) {
      await c.as('monitor');
      const before = Number((await c.one<{ n: string }>(`select public.pending_review_count() as n`)).n);
      await voiceNote(c, 'reader', ID.s1);
      await c.as('admin');
      c.eq(Number((await c.one<{ n: string }>(`select public.pending_review_count() as n`)).n), before + 1, 'one more');
      for (const who of ['client', 'reader'] as const) {
        await c.as(who);
        await c.fails('SA440', `select public.pending_review_count()`, [], 'review.forbidden');
      }
    },
  },
  {
    name: 'review queue: rejection reasons: every staff member reads them, only admins write (table and RPC); clients read nothing',
    async run(c) {
      const id = await addReason(c, 'Audio unclear', 'الصوت غير واضح');
      await c.as('superAdmin');
      await c.one(`select * from public.save_rejection_reason(p_label_en => 'Off topic', p_label_ar => 'خارج الموضوع')`);
      for (const who of ['monitor', 'admin', 'superAdmin'] as const) {
        await c.as(who);
        c.eq((await c.rows<{ label_en: string }>(`select * from public.list_rejection_reasons()`)).map((r) => r.label_en), ['Audio unclear', 'Off topic'], `${who} reads the list`);
        c.eq(await c.n(`select 1 from public.review_rejection_reasons`), 2, `${who} reads the table`);
      }
      await c.as('monitor');
      await c.fails('SA511', `select * from public.save_rejection_reason(p_label_en => 'x', p_label_ar => 'y')`, [], 'review.reasons_forbidden');
      await c.fails('SA511', `select * from public.save_rejection_reason(p_id => $1, p_active => false)`, [id], 'review.reasons_forbidden');
      await c.fails('42501', `insert into public.review_rejection_reasons (label_en, label_ar) values ('x', 'y')`);
      c.eq(await c.n(`update public.review_rejection_reasons set label_en = 'hacked' returning id`), 0, 'a monitor updates nothing');
      await c.fails('42501', `delete from public.review_rejection_reasons`);
      for (const who of ['client', 'reader'] as const) {
        await c.as(who);
        c.eq(await c.n(`select 1 from public.review_rejection_reasons`), 0, `${who} reads no row`);
        await c.fails('SA440', `select * from public.list_rejection_reasons()`, [], 'review.forbidden');
        await c.fails('42501', `insert into public.review_rejection_reasons (label_en, label_ar) values ('x', 'y')`);
      }
      await c.as('anon');
      await c.fails('42501', `select 1 from public.review_rejection_reasons`);
      // Admins: directly (RLS lets them) and through the RPC, with clear refusals for bad labels.
      await c.as('admin');
      c.eq(await c.n(`insert into public.review_rejection_reasons (label_en, label_ar, sort_order) values ('Too long', 'طويل جدا', 5) returning id`), 1, 'an admin inserts');
      await c.fails('SA512', `select * from public.save_rejection_reason(p_label_en => 'Only English')`, [], 'review.reason_label_required');
      await c.fails('SA512', `select * from public.save_rejection_reason(p_label_en => ' ', p_label_ar => 'ع')`, [], 'review.reason_label_required');
      await c.fails('SA514', `select * from public.save_rejection_reason(p_label_en => 'audio UNCLEAR', p_label_ar => 'جديد')`, [], 'review.reason_duplicate');
      await c.fails('SA448', `select * from public.save_rejection_reason(p_label_en => $1, p_label_ar => 'ع')`, ['x'.repeat(201)], 'request.text_too_long');
      await c.fails('SA513', `select * from public.save_rejection_reason(p_id => gen_random_uuid(), p_active => false)`, [], 'review.reason_unknown');
      const edited = await c.one<{ label_en: string; label_ar: string; active: boolean }>(`select * from public.save_rejection_reason(p_id => $1, p_label_en => 'Audio not clear')`, [id]);
      c.eq([edited.label_en, edited.label_ar, edited.active], ['Audio not clear', 'الصوت غير واضح', true], 'only what is given changes');
      await c.one(`select * from public.save_rejection_reason(p_id => $1, p_active => false)`, [id]);
      c.eq((await c.rows<{ label_en: string }>(`select * from public.list_rejection_reasons()`)).map((r) => r.label_en), ['Off topic', 'Too long'], 'archived reasons are not offered');
      c.eq(await c.n(`select * from public.list_rejection_reasons(true)`), 3, 'but listed for the settings');
      await c.as('postgres');
      c.ok((await c.n(`select 1 from public.audit_log where table_name = 'review_rejection_reasons' and row_id = $1`, [id])) >= 3, 'every change audited');
    },
  },
  {
    name: 'review queue: a rejection with a listed reason reaches the sender in their language, with the free text; an archived or unknown reason is refused',
    async run(c) {
      const id = await addReason(c, 'Audio unclear', 'الصوت غير واضح');
      const note = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('postgres');
      await c.exec(`update public.profiles set preferred_language = 'ar' where id = '${ID.reader}'`);
      await c.as('monitor');
      await c.fails('SA442', `select * from public.reject_audio($1, null, '  ')`, [note], 'review.reason_required');
      await c.fails('SA513', `select * from public.reject_audio($1, gen_random_uuid())`, [note], 'review.reason_unknown');
      const r = await c.one(`select * from public.reject_audio($1, $2, 'please speak slower')`, [note, id]);
      c.eq([r.status, r.review_reason], ['rejected', 'الصوت غير واضح — please speak slower'], 'the reason in Arabic, then the text');
      await c.as('reader');
      const seen = await c.one(`select * from public.list_messages($1) where id = $2`, [ID.s1, note]);
      c.eq([seen.status, seen.review_reason], ['rejected', 'الصوت غير واضح — please speak slower'], 'the sender reads it');
      await c.as('postgres');
      c.eq(await c.one(`select reason_id, note, rejected_by from public.review_rejections where message_id = $1`, [note]), { reason_id: id, note: 'please speak slower', rejected_by: ID.monitor }, 'which reason, for the figures');
      const en = String((await voiceNote(c, 'otherReader', ID.s2)).id);
      await c.as('monitor');
      c.eq((await c.one(`select * from public.reject_audio($1, $2)`, [en, id])).review_reason, 'Audio unclear', 'English for an English sender, the label alone');
      await c.as('admin');
      await c.one(`select * from public.save_rejection_reason(p_id => $1, p_active => false)`, [id]);
      const third = String((await voiceNote(c, 'reader', ID.s1)).id);
      await c.as('monitor');
      await c.fails('SA513', `select * from public.reject_audio($1, $2)`, [third, id], 'review.reason_unknown');
    },
  },
];
