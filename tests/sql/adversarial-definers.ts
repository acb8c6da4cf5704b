// Every SECURITY DEFINER function of the database (they run as their owner, so they are where an attacker
// aims), called by every API identity with hostile input: each argument in turn takes each value of its
// hostile pool (nulls, other people's ids, pending notes, blank Unicode, oversized text and arrays, bounds,
// infinities, LIKE wildcards, injection strings, path traversal) while the others keep plausible values.
// For each function and identity:
//   - every refusal is clear: the project's SAnnn or 42501, never an internal error, a constraint leaking
//     out, a data exception from inside the function;
//   - only the identities the catalogue below names ever succeed, and each of them does;
//   - no answer and no error detail carries what the identity may not read (adversarial-support.ts canaries);
//   - anon reaches nothing but needs_first_run.
// The catalogue must name every SECURITY DEFINER function the database has: a new one fails the suite until
// it is added here with who may succeed. Trigger functions cannot be called; adversarial-pgtemp.ts fires
// each of them.
import { ID, path } from './fixtures';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import {
  ATTACKERS, SIGNED_IN, STAFF, actAsAttacker, attempt, describe, forbiddenFor, freshId, isClearRefusal, plantCanaries,
  type Attacker, type Outcome,
} from './adversarial-support';

const BLANK = '\t\n\u00a0\u200b\u3000\u2028\ufeff\u061c\u0085';
const LONG = 'x'.repeat(100_001);
const INJECTION = `'); update public.profiles set role = 'super_admin'; --`;
const uuids = (n: number) => `{${Array.from({ length: n }, () => freshId()).join(',')}}`;

/** Hostile values per argument name; the first is the plausible value the other arguments keep. */
const POOLS: Record<string, unknown[]> = {
  p_session_id: [ID.s1, null, freshId(), ID.s2, ID.se],
  p_message_id: [ID.text, null, freshId(), ID.pending, ID.rejected, ID.approved],
  p_user_id: [ID.client, null, freshId(), ID.superAdmin, ID.reader],
  p_reader_id: [ID.reader, null, ID.client, freshId()],
  p_call_id: [ID.call, null, freshId()],
  p_booking_id: [freshId(), null],
  p_client_message_id: [freshId(), null, ID.pending, ID.text],
  p_reply_to: [null, ID.pending, ID.rejected, freshId()],
  p_uid: [ID.client, null, ID.reader],
  p_actor: [ID.client, null],
  p_subject: [ID.client, null],
  p_type: ['text', null, 'system', 'emergency', 'audio', ''],
  p_body: ['hello', null, BLANK, LONG, INJECTION],
  p_storage_path: [null, `${ID.s1}/../${ID.pending}/voice.webm`, path.pending, LONG],
  p_mime_type: [null, 'image/svg+xml', 'AUDIO/WEBM'],
  p_size_bytes: [null, -1, 0, '9223372036854775807'],
  p_duration_ms: [null, -1, 0, 2147483647],
  p_waveform: [null, '{}', '{NaN}', '{-1}', '{{0.1},{0.2}}', '{NULL}', `{${new Array(5000).fill(0.5).join(',')}}`],
  p_decision: ['approve', null, 'reject', 'APPROVE', ''],
  p_reason: ['because', null, BLANK, LONG],
  p_note: ['handled', null, BLANK, LONG],
  p_reason_id: [null, freshId()],
  p_role: ['reader', null, 'super_admin', 'god', INJECTION],
  p_availability: ['online', null, 'sleeping', ''],
  p_language: ['ar', null, 'fr', '', INJECTION],
  p_emergency_opt_in: [null, true, false],
  p_key: ['console.rate_limit.messages_per_minute', null, 'console.%', 'platform.theme', 'console.made_up'],
  p_value: ['30', null, '-1', '99999999999999999999', LONG, '0'],
  p_read_at: [null, 'infinity', '-infinity', '9999-12-31T00:00:00Z'],
  p_before_created_at: [null, 'infinity', '-infinity'],
  p_before_id: [null, freshId()],
  p_limit: [50, null, 0, -1, 1001, 2147483647],
  p_cursor: [null, 'garbage', '1|0:0:||', `1|1:1:|1|${freshId()}`, '1|99999999999999999999:99999999999999999999:||', LONG],
  p_message_ids: [`{${ID.text}}`, null, '{}', '{NULL}', uuids(1001), `{{${ID.text}}}`],
  p_name: [path.approved, null, '', '../../etc/passwd', path.pending, `${ID.s2}/${freshId()}/x.png`, LONG],
  p_topic: [`session:${ID.s1}`, null, '', 'staff:approvals', `user:${ID.reader}`, `session:${ID.s2}`, "session:' or true --"],
  p_message: [null],
  p_client_id: [ID.client, null, freshId(), ID.reader, ID.otherClient, ID.monitor],
  p_mentions: [null, '{}', `{${ID.monitor}}`, `{${ID.client}}`, `{${ID.otherReader}}`, '{NULL}', `{{${ID.monitor}}}`, uuids(21)],
  p_kind: ['resolved', null, 'x'],
  p_detail: ['{}', null, JSON.stringify({ note: LONG })],
  p_scope: ['user_messages', null],
  p_window_seconds: [60, null, -1],
  p_code: ['SA429', null, 'XX000'],
  p_from: ['2000-01-01T00:00:00Z', null, 'infinity', '-infinity', '2200-01-01T00:00:00Z'],
  p_to: ['2100-01-01T00:00:00Z', null, 'infinity', '-infinity', '1999-01-01T00:00:00Z'],
  p_before_entry_id: [null, '9223372036854775807', -1],
  p_action: [null, BLANK, LONG, INJECTION, 'status:rejected', '%', 'list', 'create', 'disable', 'explode'],
  p_search: ['client', null, '%', '_', BLANK, LONG, INJECTION],
  p_actor_id: [ID.superAdmin, null, ID.client, ID.admin, freshId()],
  p_change: ['account:disable', null, 'account:create', 'account:explode', INJECTION],
  p_old: [null, '{}'],
  p_new: [null, '{"role": "super_admin"}'],
  p_query: ["'hello':*", null, "'hello':* & 'moon':*", "'%':*"],
  // Canned replies and triage (20261201002200_canned_replies.sql, 20261201002300_session_triage.sql).
  p_id: [null, freshId()],
  p_shared: [false, null, true],
  p_shortcut: ['hi', null, BLANK, LONG, 'a b', '/x', INJECTION],
  p_title: ['Greeting', null, BLANK, LONG],
  p_unread: [true, null, false],
  p_muted: [true, null, false],
  p_manual: [false, null, true],
  p_until: [null, 'infinity', '-infinity', '2000-01-01T00:00:00Z'],
  p_until_reply: [false, null, true],
  p_schedule_start: [null, '22:00'],
  p_schedule_end: [null, '07:00'],
  p_time_zone: [null, 'Mars/Olympus', LONG, INJECTION],
};

/**
 * Who may get an answer other than a refusal, per function, with these pools. Everything else must be
 * refused clearly. `signed-in`: every signed-in person (each sees only what is theirs).
 */
type Who = readonly Attacker[] | 'signed-in' | 'everyone';
const SERVICE_ONLY_READS: readonly Attacker[] = [...SIGNED_IN, 'service'];
const CATALOGUE: Record<string, Who> = {
  'public.needs_first_run()': 'everyone',
  'public.get_console_settings()': SERVICE_ONLY_READS,
  'public.unread_counts()': SERVICE_ONLY_READS,
  'public.set_availability(text,boolean)': 'signed-in',
  'public.set_preferred_language(text)': 'signed-in',
  'public.set_role(uuid,text)': ['superAdmin'],
  'public.open_support_session(uuid)': 'signed-in',
  'public.join_session(uuid)': [...STAFF],
  'public.open_booking_session(uuid)': [],
  'public.assign_reader(uuid,uuid)': [...STAFF],
  'public.send_message(uuid,text,uuid,text,text,text,bigint,integer,real[],uuid)': ['client', 'reader', 'otherClient', 'otherReader'],
  'public.edit_message(uuid,text)': [],
  'public.delete_message(uuid)': [],
  'public.mark_read(uuid,timestamp with time zone)': ['client', 'reader', 'otherClient', 'otherReader'],
  'public.broadcast_typing(uuid)': ['client', 'reader', 'otherClient', 'otherReader'],
  'public.review_audio(uuid,text,text)': [...STAFF],
  'public.claim_review(uuid)': [...STAFF],
  'public.release_review(uuid)': 'signed-in',
  'public.review_claims()': [...STAFF],
  'public.pending_review_count()': [...STAFF],
  'public.bulk_approve(uuid[])': [...STAFF],
  'public.reject_audio(uuid,uuid,text)': [...STAFF],
  'public.flag_message(uuid,text)': [...STAFF],
  'public.unflag_message(uuid)': [...STAFF],
  'public.message_flags(uuid[])': [...STAFF],
  'public.request_emergency()': ['client', 'otherClient'],
  'public.accept_emergency(uuid)': ['reader'],
  'public.acknowledge_emergency(uuid)': [],
  'public.resolve_emergency(uuid,text)': [],
  'public.advance_emergencies()': [...STAFF, 'service'],
  // Internal notes and client history: the session's reader (each reader of their own session) and staff; a
  // client is refused (SA560/SA564).
  'public.add_note(uuid,uuid,text,uuid[])': ['reader', 'otherReader', ...STAFF],
  'public.note_mention_candidates(uuid)': ['reader', 'otherReader', ...STAFF],
  'public.client_history(uuid,integer)': ['reader', 'otherReader', ...STAFF],
  'public.set_presence(text)': 'signed-in',
  'public.presence_heartbeat()': 'signed-in',
  'public.expire_presence()': [...STAFF, 'service'],
  'public.figures_reviewers(timestamp with time zone,timestamp with time zone)': ['admin', 'superAdmin'],
  'public.figures_readers(timestamp with time zone,timestamp with time zone)': ['admin', 'superAdmin'],
  'public.figures_rejection_reasons(timestamp with time zone,timestamp with time zone)': ['admin', 'superAdmin'],
  'public.list_audit_log(integer,timestamp with time zone,bigint,uuid,text,timestamp with time zone,timestamp with time zone)': ['admin', 'superAdmin'],
  // Account management (the admin-accounts Edge Function asks these): admins may only create accounts.
  'public.authorize_account_action(text,uuid,text)': ['superAdmin', 'admin'],
  'public.list_accounts(text,integer,uuid)': ['superAdmin'],
  'public.account_history(uuid,integer)': ['superAdmin'],
  'public.record_account_change(uuid,uuid,text,jsonb,jsonb)': ['service'],
  // Canned replies: readers and staff keep their own; a shared one (p_shared) is refused below admin.
  'public.save_canned_reply(text,text,text,text,boolean,uuid)': ['reader', 'otherReader', ...STAFF],
  'public.delete_canned_reply(uuid)': [],
  // Triage: each signed-in person's own rows, for the sessions they may read.
  'public.list_session_triage()': 'signed-in',
  'public.mark_session_unread(uuid,boolean)': 'signed-in',
  'public.mute_session(uuid,boolean)': 'signed-in',
  'public.snooze_session(uuid,timestamp with time zone,boolean)': 'signed-in',
  'public.get_do_not_disturb()': 'signed-in',
  'public.set_do_not_disturb(boolean,timestamp with time zone,time without time zone,time without time zone,text)': 'signed-in',
  // The helpers policies and SECURITY INVOKER reads call: each answers about the caller only.
  'private.my_role()': SERVICE_ONLY_READS,
  'private.is_staff()': SERVICE_ONLY_READS,
  'private.is_admin()': SERVICE_ONLY_READS,
  'private.is_super_admin()': SERVICE_ONLY_READS,
  'private.is_emergency_reader()': SERVICE_ONLY_READS,
  'private.require_caller()': 'signed-in',
  'private.my_session_ids()': SERVICE_ONLY_READS,
  'private.my_contact_ids()': SERVICE_ONLY_READS,
  'private.note_session_ids()': SERVICE_ONLY_READS,
  'private.require_history_access(uuid)': ['reader', 'otherReader', ...STAFF],
  'private.console_settings()': SERVICE_ONLY_READS,
  'private.can_read_chat_object(text)': 'signed-in',
  'private.can_upload_chat_object(text)': 'signed-in',
  'private.is_unused_chat_object(text)': 'signed-in',
  'private.can_read_topic(text)': 'signed-in',
  // Message search's candidates: ids and times of what the caller may read.
  'private.search_candidates(tsquery,uuid,timestamp with time zone,uuid,integer)': 'signed-in',
  // Only for other SECURITY DEFINER code: no API role may call them at all.
  'private.is_participant(uuid)': [],
  'private.can_see_message(public.chat_messages)': [],
  'private.lock_own_message(uuid,uuid)': [],
  'private.emergency_event(uuid,text,uuid,jsonb)': [],
  'private.take_rate(text,uuid,bigint,integer,text,text)': [],
  'private.take_rates(text[],uuid[],bigint[],integer[],text[],text[])': [],
  'private.setting_ints(text[])': [],
  'private.reads_notes(uuid,uuid)': [],
  'private.check_account_action(uuid,text,uuid,text)': [],
};

/**
 * Functions whose answer names staff by id to a reader by design (whom a note may mention): the monitor's id,
 * a canary elsewhere (it stands for "who reviewed the voice note"), is no secret there.
 */
const NAMES_STAFF: ReadonlySet<string> = new Set(['public.note_mention_candidates(uuid)']);

interface DefinerFunction {
  sig: string;
  call: string;
  args: { name: string; type: string }[];
}

/** Every SECURITY DEFINER function but triggers, with its input arguments (named, as PostgREST calls them). */
export async function definerFunctions(db: Engine): Promise<DefinerFunction[]> {
  await db.exec('begin');
  try {
    await db.exec('set local search_path = pg_catalog');
    const rows = await db.rows<{ sig: string; fn: string; names: string[] | null; modes: string[] | null; types: string[] }>(`
      select p.oid::regprocedure::text as sig, n.nspname || '.' || p.proname as fn, p.proargnames::text[] as names, p.proargmodes::text[] as modes,
             array(select format_type((coalesce(p.proallargtypes, p.proargtypes::oid[]))[i], null)
                   from generate_subscripts(coalesce(p.proallargtypes, p.proargtypes::oid[]), 1) i) as types
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and p.prorettype <> 'trigger'::regtype
        and n.nspname in ('public', 'private', 'auth', 'storage', 'realtime')
      order by 1`);
    return rows.map((r) => ({
      sig: r.sig,
      call: r.fn,
      args: r.types
        .map((type, i) => ({ name: r.names?.[i] ?? `$${i + 1}`, type, mode: r.modes?.[i] ?? 'i' }))
        .filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v')
        .map(({ name, type }) => ({ name, type })),
    }));
  } finally {
    await db.exec('rollback');
  }
}

/** The argument tuples for one function: the plausible one, then each argument through its pool. */
function tuples(fn: DefinerFunction): unknown[][] {
  const pool = (name: string) => POOLS[name] ?? [null];
  const base = fn.args.map((a) => pool(a.name)[0]);
  const out: unknown[][] = [base];
  fn.args.forEach((a, i) => {
    for (const v of pool(a.name).slice(1)) out.push(base.map((b, j) => (j === i ? v : b)));
  });
  return out;
}

const callSql = (fn: DefinerFunction) =>
  `select t::text as r from ${fn.call}(${fn.args.map((a, i) => `${a.name} => $${i + 1}::${a.type}`).join(', ')}) t`;

const allowed = (who: Attacker, w: Who) =>
  w === 'everyone' || (w === 'signed-in' ? SIGNED_IN.includes(who) : w.includes(who));

export async function runDefinerSweep(db: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const fns = await definerFunctions(db);
  const uncatalogued = fns.map((f) => f.sig).filter((s) => !(s in CATALOGUE));
  const gone = Object.keys(CATALOGUE).filter((s) => !fns.some((f) => f.sig === s));
  results.push({
    name: `adversarial definer: the catalogue names every SECURITY DEFINER function (${fns.length})`,
    ok: uncatalogued.length === 0 && gone.length === 0,
    detail: `not in the catalogue: ${uncatalogued.join(', ') || '-'}; no longer in the database: ${gone.join(', ') || '-'}`,
  });
  for (const who of ATTACKERS) {
    await db.exec('begin');
    try {
      await actAsAttacker(db, 'postgres');
      await plantCanaries(db);
      await actAsAttacker(db, who);
      for (const fn of fns) {
        const w = CATALOGUE[fn.sig] ?? [];
        const problems: string[] = [];
        let calls = 0;
        let succeeded = 0;
        for (const args of tuples(fn)) {
          calls += 1;
          const o: Outcome = await attempt(db, callSql(fn), args);
          const shown = JSON.stringify(args).slice(0, 120);
          if (o.ok) {
            succeeded += 1;
            if (!allowed(who, w)) problems.push(`succeeded with ${shown}: ${describe(o)}`);
          } else if (!isClearRefusal(o)) {
            problems.push(`unclear refusal with ${shown}: ${describe(o)}`);
          } else if (who === 'anon' && o.code !== '42501') {
            problems.push(`anon reached the body (${o.code}) with ${shown}`);
          }
          const text = o.ok ? o.text : `${o.message} ${o.detail}`;
          // A refusal may name what the caller itself sent; only what it did not send is a leak.
          const sent = JSON.stringify(args);
          for (const secret of forbiddenFor(who).filter((x) => !sent.includes(x) && !(NAMES_STAFF.has(fn.sig) && x === ID.monitor))) {
            if (text.includes(secret)) problems.push(`leaked ${secret} with ${shown}: ${text.slice(0, 200)}`);
          }
        }
        // Two-sided: whoever the catalogue names does get through with the plausible input.
        if (allowed(who, w) && succeeded === 0) problems.push('never succeeded, although the catalogue says it may');
        results.push({
          name: `adversarial definer ${fn.sig} | ${who} (${calls} hostile calls)`,
          ok: problems.length === 0,
          detail: problems.slice(0, 5).join('\n       '),
        });
      }
    } finally {
      await db.exec('rollback');
    }
  }
  return results;
}
