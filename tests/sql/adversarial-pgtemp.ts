// The pg_temp hijack class. PostgreSQL looks up relation and type names in pg_temp first unless a search_path
// names pg_temp after something else, and every role holding TEMP may create objects there; a SECURITY
// DEFINER function (or a trigger running inside one) that resolved a bare name there would run the
// attacker's code as its owner. The attack, as a client with a SQL prompt would run it:
//   domains    pg_temp.uuid, pg_temp.text, pg_temp.jsonb, ... as domains whose CHECK calls the attacker's code
//   casts      pg_temp.<type> as composite types with an implicit cast from text that runs it
//   relations  a temporary view named like every relation of the console and of the platform
//   operators  =, <>, ->>, ||, ~ on the built-in types, defined in pg_temp (PostgreSQL never looks there)
// The attacker's code counts, in a temporary sequence (not undone by rollbacks), every time it runs as
// anyone but an API role, and tries to make its author super admin. TEMP is granted back for the attack
// (Supabase leaves it to PUBLIC); the migrations revoke it where they may (a case below checks that too).
// Then every SECURITY DEFINER function and trigger is run through the console's own steps, by the
// identities that use them, under each variant, once with compat's auth.uid()/auth.jwt() and once with
// Supabase's own definitions put back (their casts are bare ::uuid / ::jsonb): each step must answer as it
// does without the attack, and the counter must not move. Canaries (deliberately vulnerable functions)
// prove the attack works where a function is not pinned.
import { randomUUID } from 'node:crypto';
import { ID, path } from './fixtures';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import { SCHEMAS } from './privileges';
import { actAsAttacker, attempt, describe, type Attacker, type Outcome } from './adversarial-support';

type Identity = Attacker | 'postgres';
interface Statement {
  sql: string;
  params?: unknown[];
  /** Another identity for this statement only (an operator moving a deadline, ...). */
  as?: Identity;
}
interface Step {
  label: string;
  who: Identity;
  run: Statement[];
}

const u = () => randomUUID();
const SEND = (session: string, cmid: string, extra = '') =>
  `select * from public.send_message(p_session_id => '${session}'::pg_catalog.uuid, p_client_message_id => '${cmid}'::pg_catalog.uuid${extra})`;
const UPLOAD = (name: string, mime: string, size: number) =>
  `insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
   values ('chat-files', '${name}', auth.uid(), auth.uid()::pg_catalog.text,
           pg_catalog.jsonb_build_object('size', ${size}, 'mimetype', '${mime}'))`;

/** The console's own calls, covering every SECURITY DEFINER function and trigger (checked below). */
function steps(): Step[] {
  const text = u();
  const edited = u();
  const deleted = u();
  const image = u();
  const note = u();
  const noteId = u();
  const staffNoteId = u();
  const newUser = u();
  return [
    { label: 'needs_first_run as anon', who: 'anon', run: [{ sql: `select public.needs_first_run()` }] },
    { label: 'my_profile', who: 'client', run: [{ sql: `select * from public.my_profile()` }] },
    { label: 'list_sessions (session_views, profile cards)', who: 'client', run: [{ sql: `select * from public.list_sessions()` }] },
    { label: 'get_session', who: 'client', run: [{ sql: `select * from public.get_session('${ID.s1}'::pg_catalog.uuid)` }] },
    { label: 'get_sessions', who: 'client', run: [{ sql: `select * from public.get_sessions(array['${ID.s1}']::pg_catalog.uuid[])` }] },
    { label: 'list_messages', who: 'client', run: [{ sql: `select * from public.list_messages('${ID.s1}'::pg_catalog.uuid)` }] },
    { label: 'messages_changed_since', who: 'client', run: [{ sql: `select public.messages_changed_since(null)` }] },
    { label: 'pending_audio as staff', who: 'monitor', run: [{ sql: `select * from public.pending_audio()` }] },
    { label: 'search_messages (search_candidates)', who: 'client', run: [{ sql: `select * from public.search_messages('hello')` }] },
    { label: 'list_emergencies', who: 'client', run: [{ sql: `select * from public.list_emergencies()` }] },
    { label: 'list_people', who: 'client', run: [{ sql: `select * from public.list_people()` }] },
    ...['figures_reviewers', 'figures_readers', 'figures_rejection_reasons'].map((fn) => ({
      label: `${fn} as admin`, who: 'admin' as const,
      run: [{ sql: `select * from public.${fn}('2000-01-01'::pg_catalog.timestamptz, '2100-01-01'::pg_catalog.timestamptz)` }],
    })),
    { label: 'list_audit_log as admin', who: 'admin', run: [{ sql: `select * from public.list_audit_log(10, null, null, null, 'status:rejected')` }] },
    { label: 'get_console_settings', who: 'client', run: [{ sql: `select public.get_console_settings()` }] },
    { label: 'set_availability', who: 'client', run: [{ sql: `select * from public.set_availability('away')` }] },
    { label: 'set_preferred_language', who: 'client', run: [{ sql: `select * from public.set_preferred_language('ar')` }] },
    { label: 'open_support_session', who: 'client', run: [{ sql: `select * from public.open_support_session()` }] },
    { label: 'open_booking_session', who: 'client', run: [{ sql: `select * from public.open_booking_session('${u()}'::pg_catalog.uuid)` }] },
    {
      label: 'send_message text with a reply (rate limits, can_see_message, broadcasts, staff feed)',
      who: 'client',
      run: [{ sql: SEND(ID.s1, text, `, p_type => 'text', p_body => 'hello', p_reply_to => '${ID.text}'::pg_catalog.uuid`) }],
    },
    {
      label: 'upload and send an image (bucket limits, upload policy)',
      who: 'client',
      run: [
        { sql: UPLOAD(`${ID.s1}/${image}/p.png`, 'image/png', 10) },
        { sql: SEND(ID.s1, image, `, p_type => 'image', p_storage_path => '${ID.s1}/${image}/p.png', p_mime_type => 'image/png', p_size_bytes => 10`) },
      ],
    },
    {
      label: 'edit and delete (lock_own_message, audit)',
      who: 'client',
      run: [
        { sql: SEND(ID.s1, edited, `, p_type => 'text', p_body => 'first'`) },
        { sql: `select * from public.edit_message('${edited}'::pg_catalog.uuid, 'second')` },
        { sql: SEND(ID.s1, deleted, `, p_type => 'text', p_body => 'oops'`) },
        { sql: `select * from public.delete_message('${deleted}'::pg_catalog.uuid)` },
      ],
    },
    { label: 'mark_read (read receipts)', who: 'client', run: [{ sql: `select public.mark_read('${ID.s1}'::pg_catalog.uuid)` }] },
    { label: 'unread_counts', who: 'client', run: [{ sql: `select * from public.unread_counts()` }] },
    { label: 'broadcast_typing', who: 'client', run: [{ sql: `select public.broadcast_typing('${ID.s1}'::pg_catalog.uuid)` }] },
    { label: 'request_emergency (the open call)', who: 'client', run: [{ sql: `select * from public.request_emergency()` }] },
    { label: 'storage read policy', who: 'client', run: [{ sql: `select count(*) from storage.objects` }] },
    { label: 'storage delete policy', who: 'client', run: [{ sql: `delete from storage.objects where name = '${path.orphan}'` }] },
    { label: 'realtime read policy', who: 'reader', run: [{ sql: `select count(*) from realtime.messages` }] },
    { label: 'own display name (profile guard)', who: 'client', run: [{ sql: `update public.profiles set display_name = 'Renamed' where id = auth.uid()` }] },
    { label: 'request_emergency (a new call: fan-out, history, audit)', who: 'otherClient', run: [{ sql: `select * from public.request_emergency()` }] },
    {
      label: 'a reader\'s voice note (pending, staff:approvals)',
      who: 'reader',
      run: [
        { sql: UPLOAD(`${ID.s1}/${note}/v.webm`, 'audio/webm', 40) },
        {
          sql: SEND(ID.s1, note, `, p_type => 'audio', p_storage_path => '${ID.s1}/${note}/v.webm', p_mime_type => 'audio/webm',
                    p_size_bytes => 40, p_duration_ms => 1000, p_waveform => '{0.1,0.5}'::pg_catalog.float4[]`),
        },
      ],
    },
    { label: 'ringing calls for an opted-in reader', who: 'reader', run: [{ sql: `select count(*) from public.emergency_calls` }] },
    {
      label: 'an internal note with a mention (reads_notes, note_mentions, the mention broadcast)',
      who: 'reader',
      run: [
        { sql: `select * from public.note_mention_candidates('${ID.s1}'::pg_catalog.uuid)` },
        { sql: `select * from public.add_note('${ID.s1}'::pg_catalog.uuid, '${noteId}'::pg_catalog.uuid, 'internal', array['${ID.monitor}'::pg_catalog.uuid])` },
        { sql: `select * from public.list_messages('${ID.s1}'::pg_catalog.uuid)` },
      ],
    },
    {
      label: "staff's note, read by the session's reader (note_session_ids in the RESTRICTIVE policy)",
      who: 'monitor',
      run: [
        { sql: `select * from public.add_note('${ID.s1}'::pg_catalog.uuid, '${staffNoteId}'::pg_catalog.uuid, 'coaching', null)` },
        { as: 'reader', sql: `select count(*) from public.chat_messages where id = '${staffNoteId}'` },
      ],
    },
    {
      label: 'client history and notes (require_history_access)',
      who: 'reader',
      run: [
        { sql: `select * from public.client_history('${ID.client}'::pg_catalog.uuid)` },
        { sql: `select * from public.client_notes('${ID.client}'::pg_catalog.uuid)` },
      ],
    },
    {
      label: 'accept, talk, resolve an emergency',
      who: 'reader',
      run: [
        { sql: `select * from public.accept_emergency('${ID.call}'::pg_catalog.uuid)` },
        { sql: SEND(ID.se, u(), `, p_type => 'text', p_body => 'I am here'`) },
        { sql: `select * from public.resolve_emergency('${ID.call}'::pg_catalog.uuid, 'talked it through')` },
      ],
    },
    {
      label: 'review queue: claim, read claims and the count, release; reject with a text; bulk approve',
      who: 'monitor',
      run: [
        { sql: `select * from public.claim_review('${ID.pending}'::pg_catalog.uuid)` },
        { sql: `select * from public.review_claims()` },
        { sql: `select public.pending_review_count()` },
        { sql: `select public.release_review(null)` },
        { sql: `select * from public.reject_audio('${note}'::pg_catalog.uuid, null, 'unclear')` },
        { sql: `select * from public.bulk_approve(array['${ID.text}'::pg_catalog.uuid])` },
        { sql: `select * from public.claim_review('${ID.pending}'::pg_catalog.uuid)` },
      ],
    },
    { label: 'review_audio approve', who: 'monitor', run: [{ sql: `select * from public.review_audio('${ID.pending}'::pg_catalog.uuid, 'approve')` }] },
    {
      label: 'flag, read flags, unflag',
      who: 'monitor',
      run: [
        { sql: `select * from public.flag_message('${ID.text}'::pg_catalog.uuid, 'spam')` },
        { sql: `select * from public.message_flags(array['${ID.text}'::pg_catalog.uuid])` },
        { sql: `select * from public.unflag_message('${ID.text}'::pg_catalog.uuid)` },
      ],
    },
    { label: 'join_session', who: 'monitor', run: [{ sql: `select * from public.join_session('${ID.s2}'::pg_catalog.uuid)` }] },
    { label: 'assign_reader', who: 'monitor', run: [{ sql: `select * from public.assign_reader('${ID.s1}'::pg_catalog.uuid, '${ID.otherReader}'::pg_catalog.uuid)` }] },
    {
      label: 'escalate, acknowledge and resolve an emergency',
      who: 'monitor',
      run: [
        { as: 'postgres', sql: `update public.emergency_calls set escalate_at = pg_catalog.now() - pg_catalog.make_interval(secs => 1) where id = '${ID.call}'` },
        { sql: `select public.advance_emergencies()` },
        { sql: `select * from public.acknowledge_emergency('${ID.call}'::pg_catalog.uuid)` },
        { sql: `select * from public.resolve_emergency('${ID.call}'::pg_catalog.uuid, 'handled')` },
      ],
    },
    { label: 'audit_log read', who: 'admin', run: [{ sql: `select count(*) from public.audit_log` }] },
    { label: 'set_role (audit of roles)', who: 'superAdmin', run: [{ sql: `select * from public.set_role('${ID.otherClient}'::pg_catalog.uuid, 'reader')` }] },
    {
      label: 'account management: authorize, list, history',
      who: 'superAdmin',
      run: [
        { sql: `select public.authorize_account_action('disable', '${ID.client}'::pg_catalog.uuid)` },
        { sql: `select * from public.list_accounts('client')` },
        { sql: `select * from public.account_history('${ID.client}'::pg_catalog.uuid)` },
      ],
    },
    {
      label: 'account change audit as the service role (check_account_action)',
      who: 'service',
      run: [{ sql: `select public.record_account_change('${ID.superAdmin}'::pg_catalog.uuid, '${ID.client}'::pg_catalog.uuid, 'account:disable')` }],
    },
    {
      label: 'set_console_setting (validation, audit)',
      who: 'superAdmin',
      run: [{ sql: `select public.set_console_setting('console.rate_limit.messages_per_minute', '31')` }],
    },
    {
      label: 'sign-up through the service role (handle_new_user)',
      who: 'service',
      run: [{
        sql: `insert into auth.users (id, email, raw_app_meta_data, raw_user_meta_data)
              values ('${newUser}', 'new-${newUser.slice(0, 8)}@example.test', pg_catalog.jsonb_build_object('console_role', 'reader'),
                      pg_catalog.jsonb_build_object('display_name', 'New'))`,
      }],
    },
    {
      label: 'canned replies: save, change, list, delete',
      who: 'reader',
      run: [
        { sql: `select * from public.save_canned_reply('en', 'adv', 'Hello', 'Hello {client_name}')` },
        { sql: `select * from public.save_canned_reply('en', 'adv2', 'Hello', 'Hi', p_id => (select r.id from public.canned_replies r where r.shortcut = 'adv'))` },
        { sql: `select * from public.list_canned_replies()` },
        { sql: `select public.delete_canned_reply((select r.id from public.canned_replies r where r.shortcut = 'adv2'))` },
      ],
    },
    {
      label: 'triage: mark unread, mute, snooze, list; do-not-disturb',
      who: 'reader',
      run: [
        { sql: `select * from public.mark_session_unread('${ID.s1}'::pg_catalog.uuid)` },
        { sql: `select * from public.mute_session('${ID.s1}'::pg_catalog.uuid)` },
        { sql: `select * from public.snooze_session('${ID.s1}'::pg_catalog.uuid, p_until_reply => true)` },
        { sql: `select * from public.list_session_triage()` },
        { sql: `select * from public.set_do_not_disturb(false, null, '22:00'::pg_catalog.time, '07:00'::pg_catalog.time, 'Africa/Cairo')` },
        { sql: `select * from public.get_do_not_disturb()` },
      ],
    },
    { label: 'advance_emergencies as the scheduler', who: 'service', run: [{ sql: `select public.advance_emergencies()` }] },
    {
      label: 'presence: set, heartbeat, and the sweep (broadcast to contacts and staff)',
      who: 'reader',
      run: [
        { sql: `select * from public.set_presence('away')` },
        { sql: `select * from public.presence_heartbeat()` },
        { as: 'postgres', sql: `update public.profiles set presence_seen_at = pg_catalog.now() - pg_catalog.make_interval(secs => 3600) where id = '${ID.reader}'` },
        { as: 'service', sql: `select public.expire_presence()` },
      ],
    },
    { label: 'send_message as the service role', who: 'service', run: [{ sql: SEND(ID.s1, u(), `, p_type => 'text', p_body => 'x'`) }] },
  ];
}

const BUILTIN_TYPES = [
  'uuid', 'text', 'jsonb', 'json', 'timestamptz', 'timestamp', 'date', 'interval', 'name', 'regclass', 'regrole', 'regtype', 'oid',
  'int2', 'int4', 'int8', 'bool', 'float4', 'float8', 'numeric', 'varchar', 'bpchar', 'xid8', 'pg_snapshot', 'bytea', 'inet',
];

const PWN = `
create sequence pg_temp.adv_pwned;
grant all on sequence pg_temp.adv_pwned to public;
create function pg_temp.adv_pwn() returns boolean language plpgsql as $f$
begin
  if current_user::pg_catalog.text not in ('anon', 'authenticated', 'service_role') then
    perform pg_catalog.nextval('pg_temp.adv_pwned');
    begin
      update public.profiles set role = 'super_admin' where id = '${ID.client}';
    exception when others then null;
    end;
  end if;
  return true;
end
$f$;`;

const VARIANTS: Record<string, (relations: string[]) => string> = {
  domains: () => `do $d$ declare t text; begin
    foreach t in array array[${BUILTIN_TYPES.map((t) => `'${t}'`).join(', ')}] loop
      begin
        execute pg_catalog.format('create domain pg_temp.%I as pg_catalog.%I check (pg_temp.adv_pwn())', t, t);
      exception when others then null;
      end;
    end loop; end $d$`,
  // Not the text types: the casts are from text, and a composite pg_temp.text would break them first.
  casts: () => `do $d$ declare t text; begin
    foreach t in array array[${BUILTIN_TYPES.filter((t) => !['text', 'varchar', 'bpchar', 'name'].includes(t)).map((t) => `'${t}'`).join(', ')}] loop
      begin
        execute pg_catalog.format('create type pg_temp.%I as (v pg_catalog.text)', t);
        execute pg_catalog.format('create function pg_temp.%I(pg_catalog.text) returns pg_temp.%I language plpgsql as %L',
          'adv_to_' || t, t, 'begin perform pg_temp.adv_pwn(); return null; end');
        execute pg_catalog.format('create cast (pg_catalog.text as pg_temp.%I) with function pg_temp.%I(pg_catalog.text) as implicit', t, 'adv_to_' || t);
      exception when others then null;
      end;
    end loop; end $d$`,
  relations: (relations) => `do $d$ declare t text; begin
    foreach t in array array[${relations.map((t) => `'${t}'`).join(', ')}]::text[] loop
      begin
        execute pg_catalog.format('create temporary view %I as select pg_temp.adv_pwn() as adv_pwned', t);
      exception when others then null;
      end;
    end loop; end $d$`,
  operators: () => `do $d$ declare o record; begin
    for o in select * from (values ('=', 'uuid', 'uuid'), ('=', 'text', 'text'), ('<>', 'text', 'text'), ('->>', 'jsonb', 'text'),
                                   ('||', 'text', 'text'), ('~', 'text', 'text'), ('=', 'int8', 'int8'), ('>', 'timestamptz', 'timestamptz')) v(op, l, r) loop
      begin
        execute pg_catalog.format('create function pg_temp.%I(pg_catalog.%I, pg_catalog.%I) returns boolean language plpgsql as %L',
          'adv_op_' || o.l || '_' || o.r || '_' || pg_catalog.md5(o.op), o.l, o.r, 'begin perform pg_temp.adv_pwn(); return true; end');
        execute pg_catalog.format('create operator pg_temp.%s (leftarg = pg_catalog.%I, rightarg = pg_catalog.%I, function = pg_temp.%I)',
          o.op, o.l, o.r, 'adv_op_' || o.l || '_' || o.r || '_' || pg_catalog.md5(o.op));
      exception when others then null;
      end;
    end loop; end $d$`,
};

// Deliberately vulnerable: what the migrations' functions would be with an empty search_path and a bare
// name. Each must set the counter off under the variants it names, or the attack proves nothing.
const CANARIES: { name: string; body: string; fires: (variant: string, auth: string) => boolean }[] = [
  {
    name: 'adv_canary_cast',
    // (No "or true": the planner would fold the whole test away, and the cast with it.)
    body: `select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), '${ID.client}')::uuid is not null`,
    fires: (variant) => variant === 'domains' || variant === 'casts',
  },
  {
    name: 'adv_canary_auth_uid',
    body: `select auth.uid() is not null`,
    // Under "casts" the composite pg_temp.jsonb has no ->>, so the body fails to plan before anything runs.
    fires: (variant, auth) => auth === 'supabase' && variant === 'domains',
  },
  { name: 'adv_canary_relation', body: `select count(*) >= 0 from profiles`, fires: (variant) => variant === 'relations' },
];

// Supabase's own auth.uid(), auth.role() and auth.jwt() (bare casts), as a project has them.
const SUPABASE_AUTH = `
create or replace function auth.uid() returns uuid language sql stable as $f$
  select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
$f$;
create or replace function auth.role() returns text language sql stable as $f$
  select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
$f$;
create or replace function auth.jwt() returns jsonb language sql stable as $f$
  select coalesce(nullif(current_setting('request.jwt.claim', true), ''), nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$f$;`;

const TOUCH_FUNCTIONS = `do $t$ declare f record; begin
  for f in select p.oid::regprocedure as sig, p.procost from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
           where n.nspname = any (array[${SCHEMAS.map((x) => `'${x}'`).join(', ')}]) and p.prokind = 'f' loop
    execute pg_catalog.format('alter function %s cost %s', f.sig, f.procost);
  end loop; end $t$`;

const same = (a: Outcome, b: Outcome) => (a.ok && b.ok) || (!a.ok && !b.ok && a.code === b.code);

/** The statements of a step one after the other (each sees what the previous did), then all undone. */
async function runStep(db: Engine, step: Step): Promise<Outcome> {
  let last: Outcome = { ok: true, text: '' };
  await db.exec('savepoint adv_step');
  try {
    for (const s of step.run) {
      await actAsAttacker(db, s.as ?? step.who);
      last = { ok: true, text: JSON.stringify(await db.rows(s.sql, s.params)) };
    }
  } catch (error) {
    const e = error as { code?: string; message?: string; detail?: string };
    last = { ok: false, code: e.code ?? '?', message: e.message ?? String(error), detail: e.detail ?? '' };
  } finally {
    await db.exec('rollback to savepoint adv_step');
  }
  return last;
}

async function counter(db: Engine): Promise<number> {
  const r = await db.rows<{ n: string; called: boolean }>(`select last_value as n, is_called as called from pg_temp.adv_pwned`);
  return r[0]!.called ? Number(r[0]!.n) : 0;
}

export async function runPgTemp(db: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const check = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
      results.push({ name: `adversarial pg_temp ${name}`, ok: true });
    } catch (error) {
      results.push({ name: `adversarial pg_temp ${name}`, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };

  // Without TEMP given back, no API role can create anything in pg_temp at all.
  for (const who of ['anon', 'client', 'service'] as const) {
    await check(`without TEMP, ${who} cannot create a temporary table, type or function`, async () => {
      await db.exec('begin');
      try {
        await actAsAttacker(db, who);
        for (const sql of [`create temporary table adv_t (x int)`, `create domain pg_temp.uuid as pg_catalog.text`, `create function pg_temp.f() returns int language sql as 'select 1'`]) {
          const o = await attempt(db, sql);
          if (o.ok || o.code !== '42501') throw new Error(`${sql}: ${describe(o)}`);
        }
      } finally {
        await db.exec('rollback');
      }
    });
  }

  const all = steps();
  const relations = (await db.rows<{ n: string }>(
    `select distinct c.relname as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any ($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') order by 1`,
    [SCHEMAS],
  )).map((r) => r.n);

  const stepOutcomes = new Map<string, Outcome>();
  await db.exec(`set track_functions = 'all'`);
  await db.exec('begin');
  try {
    await actAsAttacker(db, 'postgres');
    await db.exec(`grant temporary on database ${await currentDatabase(db)} to anon, authenticated, service_role`);
    // The relation canary names a relation only pg_temp will have.
    await db.exec('set local check_function_bodies = off');
    await actAsAttacker(db, 'client');
    await db.exec(PWN);

    for (const auth of ['compat', 'supabase']) {
      if (auth === 'supabase') {
        await actAsAttacker(db, 'postgres');
        await db.exec(SUPABASE_AUTH);
      }
      const baseline = new Map<string, Outcome>();
      for (const step of all) baseline.set(step.label, await runStep(db, step));
      if (auth === 'compat') for (const [k, v] of baseline) stepOutcomes.set(k, v);
      for (const [variant, setup] of Object.entries(VARIANTS)) {
        await actAsAttacker(db, 'client');
        await db.exec('savepoint adv_variant');
        try {
          await db.exec(setup(relations));
          // The attacker plants its objects before its session first calls anything; this session has called
          // everything already (fixtures, baseline), and a session keeps what it compiled: PL/pgSQL functions
          // with their variables' types, plans of SQL and PL/pgSQL statements. So every function is touched
          // (a new pg_proc row makes PL/pgSQL compile it again) and every plan dropped, as a new session
          // would have them. The canaries are created afresh for the same reason.
          await actAsAttacker(db, 'postgres');
          await db.exec(TOUCH_FUNCTIONS);
          await db.exec('discard plans');
          for (const c of CANARIES) {
            await db.exec(`create function public.${c.name}_${variant}() returns boolean language sql security definer set search_path = '' as $f$ ${c.body} $f$;
                           grant execute on function public.${c.name}_${variant}() to authenticated`);
          }
          for (const c of CANARIES) {
            await check(`canary ${c.name} (${auth} auth.uid, ${variant}) ${c.fires(variant, auth) ? 'is hijacked' : 'is not hijacked'}`, async () => {
              const before = await counter(db);
              await runStep(db, { label: c.name, who: 'client', run: [{ sql: `select public.${c.name}_${variant}()` }] });
              const fired = (await counter(db)) > before;
              if (fired !== c.fires(variant, auth)) throw new Error(fired ? 'the attack ran as the owner' : 'the attack did not run: the harness proves nothing');
            });
          }
          for (const step of all) {
            await check(`${variant} (${auth} auth.uid) | ${step.who}: ${step.label}`, async () => {
              const before = await counter(db);
              const o = await runStep(db, step);
              const after = await counter(db);
              if (after > before) throw new Error(`the attacker's code ran as the owner ${after - before} time(s)`);
              // With Supabase's bare casts inlined into policies that run as the attacker, the attacker can break
              // its own statements (its pg_temp, its session): no escalation, so only the counter counts there.
              const b = baseline.get(step.label)!;
              if (auth === 'compat' && !same(o, b)) throw new Error(`answers differently under attack: ${describe(o)}; without: ${describe(b)}`);
            });
          }
        } finally {
          await db.exec('rollback to savepoint adv_variant');
        }
      }
    }

    // Every SECURITY DEFINER function and trigger ran in the steps above (so each was attacked): counted by
    // the server (track_functions), or, for one that can only refuse here (a refusal is not counted), named
    // by a step that ended in that refusal.
    await actAsAttacker(db, 'postgres');
    const missed = await db.rows<{ f: string; fn: string }>(`
      select p.oid::regprocedure::text as f, n.nspname || '.' || p.proname as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname = any ($1::text[]) and p.proname not like 'adv\\_canary%'
        and not exists (select 1 from pg_stat_xact_user_functions s where s.funcid = p.oid and s.calls > 0)
      order by 1`, [SCHEMAS]);
    const refusedOnly = (fn: string) => all.some((step) => !stepOutcomes.get(step.label)!.ok && step.run.some((st) => st.sql.includes(`${fn}(`)));
    const uncovered = missed.filter((m) => !refusedOnly(m.fn));
    results.push({
      name: 'adversarial pg_temp every SECURITY DEFINER function and trigger was run under attack',
      ok: uncovered.length === 0,
      detail: `never called: ${uncovered.map((m) => m.f).join(', ')}`,
    });
  } finally {
    await db.exec('rollback');
    await db.exec('reset track_functions');
  }
  return results;
}

async function currentDatabase(db: Engine): Promise<string> {
  const name = (await db.rows<{ d: string }>(`select current_database() as d`))[0]!.d;
  return `"${name.replace(/"/g, '""')}"`;
}
