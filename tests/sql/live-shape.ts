// The migrations on a database shaped like the LIVE project: a platform `profiles` with extra NOT
// NULL columns and its own policies, `app_settings(key, value)` holding platform keys, `bookings`,
// and the legacy-shaped chat tables holding data (with a view depending on them). Shapes follow
// shared/legacy/live-columns.csv (trimmed to the columns that matter here).
import { randomUUID } from 'node:crypto';
import { applySchema, listSchemaFiles } from '../../src/main/schema/index';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import { Ctx, SEND_SQL, sendParams } from './workflows';

const LIVE_SQL = `
create table public.profiles (
  id uuid primary key default gen_random_uuid(),
  first_name text, last_name text, email text,
  role text default 'client'::text,
  is_active boolean default true,
  display_name varchar,
  preferred_language varchar default 'en'::character varying,
  encrypted_password varchar not null,
  deactivated boolean not null default false,
  banned_by_admin boolean not null default false,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
alter table public.profiles enable row level security;
create policy "platform: users read profiles" on public.profiles for select to authenticated using (true);
create policy "platform: users update own profile" on public.profiles for update to authenticated using (id = auth.uid());
grant select, insert, update, delete on public.profiles to anon, authenticated;

create table public.app_settings (key text not null, value text not null);
insert into public.app_settings values ('site_name', 'SAMIA TAROT'), ('maintenance_mode', 'false');

create table public.bookings (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null, reader_id uuid, service_id uuid not null,
  status text default 'pending'::text, is_emergency boolean default false,
  client_id uuid, created_at timestamptz default now()
);

create table public.chat_sessions (
  id uuid primary key default gen_random_uuid(),
  participants uuid[] not null default '{}'::uuid[],
  type varchar default 'booking'::character varying,
  booking_id uuid, emergency_call_id uuid,
  status varchar default 'active'::character varying,
  last_message_at timestamptz, metadata jsonb default '{}'::jsonb,
  created_at timestamptz default now(), updated_at timestamptz default now()
);
create table public.chat_messages (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references public.chat_sessions (id),
  sender_id uuid not null,
  type varchar default 'text'::character varying,
  content text, file_url text, waveform_data jsonb,
  status varchar default 'sent'::character varying,
  read_by uuid[] default '{}'::uuid[], delivered_to uuid[] default '{}'::uuid[],
  is_deleted boolean default false,
  created_at timestamptz default now()
);
create table public.chat_participants (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz default timezone('utc'::text, now()),
  updated_at timestamptz default timezone('utc'::text, now())
);
create table public.emergency_calls (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null, reader_id uuid,
  call_type varchar default 'emergency'::character varying,
  status varchar default 'initiated'::character varying,
  escalation_level integer default 1,
  session_id varchar,
  created_at timestamptz default now()
);
create table public.messages (
  id uuid primary key default gen_random_uuid(),
  booking_id uuid not null, type text, content text, is_approved boolean default true
);
create view public.chat_session_sizes as
  select s.id, count(m.id) as n from public.chat_sessions s left join public.chat_messages m on m.session_id = s.id group by s.id;
`;

const CLIENT = randomUUID();
const READER = randomUUID();
const MONITOR = randomUUID();
const OLD_SESSION = randomUUID();
const BOOKING = randomUUID();

export async function runLiveShape(db: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const check = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
      results.push({ name: `live-shaped ${name}`, ok: true });
    } catch (error) {
      results.push({ name: `live-shaped ${name}`, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };
  const c = new Ctx(db);

  await check('database: compat layer, then the platform tables with data', async () => {
    for (const f of await listSchemaFiles()) if (f.kind === 'compat') await db.exec(f.sql);
    await db.exec(LIVE_SQL);
    for (const [id, role] of [[CLIENT, 'client'], [READER, 'reader'], [MONITOR, 'monitor']] as const) {
      await db.query(`insert into auth.users (id, email) values ($1, $2)`, [id, `${role}@live.test`]);
      await db.query(`insert into public.profiles (id, role, encrypted_password, first_name) values ($1, $2, 'bcrypt$hash', $2)`, [id, role]);
    }
    await db.query(`insert into public.chat_sessions (id, participants, booking_id) values ($1, $2, $3)`, [OLD_SESSION, `{${CLIENT},${READER}}`, BOOKING]);
    for (let i = 0; i < 25; i++) {
      await db.query(`insert into public.chat_messages (session_id, sender_id, content, read_by) values ($1, $2, $3, $4)`, [OLD_SESSION, i % 2 ? CLIENT : READER, `old ${i}`, `{${CLIENT}}`]);
    }
    await db.query(`insert into public.emergency_calls (client_id, status, session_id) values ($1, 'ended', 'x')`, [CLIENT]);
    await db.query(`insert into public.bookings (id, user_id, client_id, reader_id, service_id) values ($1, $2, $2, $3, gen_random_uuid())`, [BOOKING, CLIENT, READER]);
  });

  await check('migrations apply beside the platform (compat re-applied idempotently)', async () => {
    const r = await applySchema(db);
    if (r.migrationsApplied.length < 10) throw new Error(`only ${r.migrationsApplied.length} migrations applied`);
    const again = await applySchema(db);
    if (again.migrationsApplied.length !== 0) throw new Error('second run applied something');
  });

  await check('legacy chat tables moved to schema legacy with every row; dependent view still answers', async () => {
    c.eq(Number((await c.one(`select count(*)::int as n from legacy.chat_messages`)).n), 25, 'legacy messages');
    c.eq(Number((await c.one(`select count(*)::int as n from legacy.chat_sessions`)).n), 1, 'legacy sessions');
    c.eq(Number((await c.one(`select count(*)::int as n from legacy.emergency_calls`)).n), 1, 'legacy calls');
    c.ok((await c.one<{ t: string }>(`select to_regclass('legacy.chat_participants')::text as t`)).t, 'legacy participants');
    c.eq(Number((await c.one(`select n::int from public.chat_session_sizes where id = $1`, [OLD_SESSION])).n), 25, 'view follows the moved tables');
    c.eq(await c.n(`select 1 from information_schema.columns where table_schema = 'public' and table_name = 'chat_messages' and column_name = 'body'`), 1, 'new chat_messages in public');
    c.eq(await c.n(`select 1 from public.messages`), 0, 'public.messages untouched');
  });

  await check('profiles: platform columns and rows kept, console columns added; app_settings platform keys kept', async () => {
    const p = await c.one(`select encrypted_password, first_name, availability, emergency_opt_in from public.profiles where id = $1`, [READER]);
    c.eq([p.encrypted_password, p.first_name, p.availability, p.emergency_opt_in], ['bcrypt$hash', 'reader', 'offline', false], 'profile row');
    c.eq(await c.n(`select 1 from pg_policies where tablename = 'profiles' and policyname like 'platform:%'`), 2, 'platform policies kept');
    c.eq(await c.n(`select 1 from public.app_settings where key in ('site_name', 'maintenance_mode')`), 2, 'platform keys kept');
    c.ok((await c.n(`select 1 from public.app_settings where key like 'console.%'`)) >= 15, 'console keys added');
  });

  await check('the workflows run on it: booking session, approval; platform policies cannot lift the guards', async () => {
    await db.exec('begin');
    try {
      await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: READER, role: 'authenticated' })]);
      await db.exec('set local role authenticated');
      const s = await c.one(`select * from public.open_booking_session($1)`, [BOOKING]);
      c.eq((await c.one(`select * from public.open_booking_session($1)`, [BOOKING])).id, s.id, 'one session per booking');
      await c.fails('SA460', `update public.profiles set role = 'admin' where id = auth.uid()`, [], 'profile.protected_column');
      const id = randomUUID();
      const p = `${s.id}/${id}/n.webm`;
      await c.rows(`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values ('chat-files', $1, auth.uid(), auth.uid()::text, '{"size": 10, "mimetype": "audio/webm"}')`, [p]);
      const m = await c.one(SEND_SQL, sendParams({ session: String(s.id), type: 'audio', cmid: id, path: p, mime: 'audio/webm', size: 10, duration: 900 }));
      c.eq(m.status, 'pending_approval', 'pending');
      await db.exec('reset role');
      await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: CLIENT, role: 'authenticated' })]);
      await db.exec('set local role authenticated');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [id]), 0, 'client cannot see it');
      await c.fails('SA460', `insert into public.profiles (id, role, encrypted_password) values (gen_random_uuid(), 'super_admin', 'x')`, [], 'profile.protected_column');
      await c.fails('42501', `insert into public.app_settings (key, value) values ('console.message.max_body_length', '1')`);
      await db.exec('reset role');
      await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: MONITOR, role: 'authenticated' })]);
      await db.exec('set local role authenticated');
      c.eq((await c.one(`select * from public.review_audio($1, 'approve')`, [id])).status, 'approved', 'approved');
    } finally {
      await db.exec('rollback');
    }
  });

  await check('sign-up: the platform\'s auth insert is never aborted by the console; no console profile where its table refuses one; an existing profile is kept', async () => {
    await db.exec('begin');
    try {
      const fresh = randomUUID();
      // The live profiles has NOT NULL columns without defaults (encrypted_password): the trigger cannot fill them.
      await c.rows(`insert into auth.users (id, email, raw_app_meta_data) values ($1, 'new@live.test', '{"console_role": "reader"}')`, [fresh]);
      c.eq(await c.n(`select 1 from auth.users where id = $1`, [fresh]), 1, 'the account exists');
      c.eq(await c.n(`select 1 from public.profiles where id = $1`, [fresh]), 0, 'no half-made console profile');
      const existing = randomUUID();
      await c.rows(`insert into public.profiles (id, role, encrypted_password, first_name) values ($1, 'client', 'bcrypt$hash', 'Platform')`, [existing]);
      await c.rows(`insert into auth.users (id, email, raw_app_meta_data, raw_user_meta_data) values ($1, 'had@live.test', '{"console_role": "admin"}', '{"display_name": "Other"}')`, [existing]);
      const p = await c.one(`select role, first_name, display_name from public.profiles where id = $1`, [existing]);
      c.eq([p.role, p.first_name, p.display_name], ['client', 'Platform', null], 'the platform\'s row untouched');
      await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: fresh, role: 'authenticated' })]);
      await db.exec('set local role authenticated');
      await c.fails('SA402', `select * from public.my_profile()`, [], 'auth.profile_missing');
    } finally {
      await db.exec('rollback');
    }
  });

  await check('the read RPCs answer on it (varchar platform columns, no primary key on app_settings)', async () => {
    await db.exec('begin');
    try {
      const actAs = async (id: string) => {
        await db.exec('reset role');
        await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: id, role: 'authenticated' })]);
        await db.exec('set local role authenticated');
      };
      await actAs(READER);
      c.eq((await c.one(`select * from public.my_profile()`)).role, 'reader', 'my_profile');
      const s = await c.one(`select * from public.open_booking_session($1)`, [BOOKING]);
      await c.one(SEND_SQL, sendParams({ session: String(s.id), type: 'text', body: 'hello from the platform' }));
      const row = await c.one(`select * from public.get_session($1)`, [s.id]);
      c.eq((row.participants as { display_name: string }[]).length, 2, 'participants');
      c.eq(await c.n(`select * from public.list_sessions()`), 1, 'list_sessions');
      c.eq(await c.n(`select * from public.list_messages($1)`, [s.id]), 1, 'list_messages');
      c.ok(await c.n(`select * from public.list_people('reader')`) >= 1, 'list_people');
      c.eq((await c.one<{ r: { complete: boolean } }>(`select public.messages_changed_since() as r`)).r.complete, true, 'messages_changed_since');
      await actAs(MONITOR);
      c.eq(await c.n(`select * from public.pending_audio()`), 0, 'pending_audio');
      c.eq(await c.n(`select * from public.list_emergencies()`), 0, 'list_emergencies');
      await db.exec('reset role');
      await db.query(`update public.profiles set role = 'super_admin' where id = $1`, [MONITOR]);
      await actAs(MONITOR);
      const settings = await c.one<{ s: Record<string, unknown> }>(`select public.set_console_setting('console.message.max_body_length', '5000') as s`);
      c.eq(settings.s['console.message.max_body_length'], 5000, 'set_console_setting upserts beside the platform keys');
      c.eq(await c.n(`select 1 from public.app_settings where key = 'console.message.max_body_length'`), 1, 'one row');
      c.eq((await c.one(`select public.needs_first_run() as v`)).v, false, 'needs_first_run');
    } finally {
      await db.exec('rollback');
    }
  });
  return results;
}
