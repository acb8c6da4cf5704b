// Accounts: the profile every new auth user gets from the handle_new_user trigger, my_profile and
// needs_first_run. Inserts into auth.users are made as the owner, the way the auth server (GoTrue, or
// the embedded backend's) writes them; each case runs in a transaction that is rolled back.
import { randomUUID } from 'node:crypto';
import { ID } from './fixtures';
import type { Ctx, Workflow } from './workflows';

type Profile = { role: string; display_name: string | null; preferred_language: string; availability: string; emergency_opt_in: boolean };

async function newUser(c: Ctx, email: string | null, app: unknown, user: unknown): Promise<string> {
  await c.as('postgres');
  const id = randomUUID();
  await c.rows(
    `insert into auth.users (id, email, aud, role, raw_app_meta_data, raw_user_meta_data)
     values ($1, $2, 'authenticated', 'authenticated', $3::jsonb, $4::jsonb)`,
    [id, email, app === undefined ? null : JSON.stringify(app), user === undefined ? null : JSON.stringify(user)],
  );
  return id;
}

async function profileOf(c: Ctx, id: string): Promise<Profile | undefined> {
  await c.as('postgres');
  const r = await c.rows<Profile>(
    `select role, display_name, preferred_language, availability, emergency_opt_in from public.profiles where id = $1`, [id]);
  return r[0];
}

/** Acts as a user that is not one of the fixtures. */
async function actAsUser(c: Ctx, id: string | null): Promise<void> {
  await c.exec('reset role');
  await c.rows(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(id ? { sub: id, role: 'authenticated' } : { role: 'authenticated' })]);
  await c.exec('set local role authenticated');
}

export const ACCOUNT_WORKFLOWS: Workflow[] = [
  {
    name: 'handle_new_user: the role comes from app_metadata.console_role (each of the five), name and language from user_metadata',
    async run(c) {
      for (const role of ['client', 'reader', 'monitor', 'admin', 'super_admin']) {
        const id = await newUser(c, `${role}.new@example.test`, { provider: 'email', console_role: role }, { display_name: `New ${role}`, preferred_language: 'ar' });
        c.eq(await profileOf(c, id), { role, display_name: `New ${role}`, preferred_language: 'ar', availability: 'offline', emergency_opt_in: false }, `profile of a new ${role}`);
      }
    },
  },
  {
    name: 'handle_new_user: without metadata a client named after the email, in English',
    async run(c) {
      const id = await newUser(c, 'layla.h@example.test', { provider: 'email', providers: ['email'] }, {});
      c.eq(await profileOf(c, id), { role: 'client', display_name: 'layla.h', preferred_language: 'en', availability: 'offline', emergency_opt_in: false }, 'profile');
      const bare = await newUser(c, 'bare@example.test', undefined, undefined);
      c.eq((await profileOf(c, bare))?.role, 'client', 'null metadata: a client');
      const phone = await newUser(c, null, undefined, undefined);
      c.eq((await profileOf(c, phone))?.display_name, null, 'no email, no name: no display name invented');
    },
  },
  {
    name: 'handle_new_user: user_metadata (written by whoever signs up) never chooses a role; unknown roles and languages fall back',
    async run(c) {
      const forged = await newUser(c, 'forged@example.test', { provider: 'email' }, { console_role: 'super_admin', role: 'super_admin' });
      c.eq((await profileOf(c, forged))?.role, 'client', 'console_role in user_metadata is ignored');
      const unknown = await newUser(c, 'unknown@example.test', { console_role: 'god' }, { preferred_language: 'fr' });
      const p = await profileOf(c, unknown);
      c.eq([p?.role, p?.preferred_language], ['client', 'en'], 'unknown role and language');
      const odd = await newUser(c, 'odd@example.test', ['console_role', 'admin'], 'not an object');
      c.eq((await profileOf(c, odd))?.role, 'client', 'metadata that is not an object');
      const caps = await newUser(c, 'caps@example.test', { console_role: 'ADMIN' }, { preferred_language: 'AR' });
      const q = await profileOf(c, caps);
      c.eq([q?.role, q?.preferred_language], ['client', 'en'], 'values are exact, not case-folded');
    },
  },
  {
    name: 'handle_new_user: a blank display name falls back to the email; surrounding whitespace (tabs, newlines) is trimmed',
    async run(c) {
      const blank = await newUser(c, 'omar@example.test', {}, { display_name: ' \t\n ' });
      c.eq((await profileOf(c, blank))?.display_name, 'omar', 'blank name');
      const padded = await newUser(c, 'nour@example.test', {}, { display_name: '\t Nour Al-Huda \n' });
      c.eq((await profileOf(c, padded))?.display_name, 'Nour Al-Huda', 'trimmed name');
    },
  },
  {
    name: 'handle_new_user: the new user signs in to a working console (my_profile, RPCs); the guard still keeps the role out of reach',
    async run(c) {
      const id = await newUser(c, 'fresh.reader@example.test', { console_role: 'reader' }, { display_name: 'Fresh Reader', preferred_language: 'ar' });
      await actAsUser(c, id);
      c.eq(await c.rows(`select * from public.my_profile()`),
        [{ id, display_name: 'Fresh Reader', role: 'reader', preferred_language: 'ar', emergency_opt_in: false, availability: 'offline', availability_choice: 'online' }], 'my_profile');
      c.eq((await c.one(`select * from public.set_availability('online', true)`)).emergency_opt_in, true, 'a reader may opt in');
      await c.fails('SA460', `update public.profiles set role = 'admin' where id = auth.uid()`, [], 'profile.protected_column');
    },
  },
  {
    name: 'my_profile: own row for every role; auth.required without a subject; auth.profile_missing without a profile; anon refused',
    async run(c) {
      for (const who of ['client', 'otherClient', 'reader', 'otherReader', 'monitor', 'admin', 'superAdmin'] as const) {
        await c.as(who);
        const rows = await c.rows<{ id: string }>(`select * from public.my_profile()`);
        c.eq(rows.map((r) => r.id), [ID[who]], `${who} reads exactly its own profile`);
      }
      await actAsUser(c, null);
      await c.fails('SA401', `select * from public.my_profile()`, [], 'auth.required');
      await c.as('postgres');
      const orphan = await newUser(c, 'orphan@example.test', {}, {});
      await c.rows(`delete from public.profiles where id = $1`, [orphan]);
      await actAsUser(c, orphan);
      await c.fails('SA402', `select * from public.my_profile()`, [], 'auth.profile_missing');
      await c.as('anon');
      await c.fails('42501', `select * from public.my_profile()`);
    },
  },
  {
    name: 'needs_first_run: anon may ask; true exactly while no super admin exists',
    async run(c) {
      await c.as('anon');
      c.eq((await c.one(`select public.needs_first_run() as v`)).v, false, 'the fixtures have a super admin');
      await c.as('postgres');
      await c.rows(`update public.profiles set role = 'admin' where role = 'super_admin'`);
      await c.as('anon');
      c.eq((await c.one(`select public.needs_first_run() as v`)).v, true, 'none left');
      await c.as('client');
      c.eq((await c.one(`select public.needs_first_run() as v`)).v, true, 'signed-in users may ask too');
      await newUser(c, 'first@example.test', { console_role: 'super_admin' }, { display_name: 'First' });
      await c.as('anon');
      c.eq((await c.one(`select public.needs_first_run() as v`)).v, false, 'the first super admin was created');
    },
  },
];
