// Presence: the user's choice, what a console may show of it (set_presence), the lease (presence_heartbeat) and
// its sweep (expire_presence), and the `presence` broadcast: who is sent it and who is not, and its payload.
// Each case runs in a transaction that is rolled back (runWorkflows).
import { ID } from './fixtures';
import type { Ctx, Workflow } from './workflows';

type Sent = { topic: string; payload: Record<string, unknown> };

/** The presence broadcasts about `userId` written so far in this transaction, by topic (read as the superuser). */
async function presenceSent(c: Ctx, userId: string): Promise<Sent[]> {
  await c.as('postgres');
  return c.rows<Sent>(
    `select topic, payload from realtime.messages
      where event = 'presence' and extension = 'broadcast' and payload ->> 'user_id' = $1 order by topic`,
    [userId],
  );
}

async function clearPresenceSent(c: Ctx): Promise<void> {
  await c.as('postgres');
  await c.exec(`delete from realtime.messages where event = 'presence'`);
}

const topics = (sent: Sent[]) => sent.map((s) => s.topic);

async function row(c: Ctx, id: string) {
  await c.as('postgres');
  return c.one<{ availability: string; availability_choice: string; seen: boolean; fresh: boolean }>(
    `select availability, availability_choice, presence_seen_at is not null as seen,
            coalesce(presence_seen_at > now() - interval '5 seconds', false) as fresh
       from public.profiles where id = $1`,
    [id],
  );
}

export const PRESENCE_WORKFLOWS: Workflow[] = [
  {
    name: 'broadcast: to the people who share a listed session (clients, readers) and to staff:sessions; never to oneself, to strangers or to staff topics of their own',
    async run(c) {
      // A monitor takes part in s1 too: staff learn of presence on staff:sessions, not on their own topic.
      await c.as('postgres');
      await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'staff')`, [ID.s1, ID.monitor]);
      await clearPresenceSent(c);
      await c.as('reader');
      await c.one(`select * from public.set_availability('busy')`);
      const sent = await presenceSent(c, ID.reader);
      c.eq(topics(sent), ['staff:sessions', `user:${ID.client}`], 'who is sent the reader\'s presence');
      for (const s of sent) c.eq(s.payload, { user_id: ID.reader, availability: 'busy' }, `payload on ${s.topic}`);
      // Exactly the two keys: nothing else rides on it.
      c.eq(Object.keys(sent[0]!.payload).sort(), ['availability', 'user_id'], 'payload keys');

      await clearPresenceSent(c);
      await c.as('client');
      await c.one(`select * from public.set_presence('away')`);
      // The client shares s1 with the reader (and the monitor, on staff:sessions) and se with nobody.
      c.eq(topics(await presenceSent(c, ID.client)), ['staff:sessions', `user:${ID.reader}`], 'who is sent the client\'s presence');
    },
  },
  {
    name: 'broadcast: only on a change of what others see (a heartbeat, the same state again, or the choice repeated send nothing)',
    async run(c) {
      await c.as('reader');
      await c.one(`select * from public.set_presence('online')`);
      await clearPresenceSent(c);
      await c.as('reader');
      await c.one(`select * from public.presence_heartbeat()`);
      await c.one(`select * from public.set_presence('online')`);
      await c.one(`select * from public.set_availability('online')`);
      c.eq(await presenceSent(c, ID.reader), [], 'nothing sent without a change');
      await c.as('reader');
      await c.one(`select * from public.set_presence('offline')`);
      c.eq((await presenceSent(c, ID.reader)).map((s) => s.payload.availability), ['offline', 'offline'], 'offline is sent (contact and staff)');
    },
  },
  {
    name: 'broadcast: a session that left the lists (ended, no message for 7 days) no longer carries presence',
    async run(c) {
      await c.as('postgres');
      await c.exec(`update public.chat_sessions set status = 'ended', last_message_at = now() - interval '8 days' where id = '${ID.s2}'`);
      await clearPresenceSent(c);
      await c.as('otherReader');
      await c.one(`select * from public.set_availability('busy')`);
      c.eq(topics(await presenceSent(c, ID.otherReader)), ['staff:sessions'], 'only staff hear of it');
      await c.as('postgres');
      await c.exec(`update public.chat_sessions set last_message_at = now() - interval '1 day' where id = '${ID.s2}'`);
      await clearPresenceSent(c);
      await c.as('otherReader');
      await c.one(`select * from public.set_availability('online')`);
      c.eq(topics(await presenceSent(c, ID.otherReader)), ['staff:sessions', `user:${ID.otherClient}`], 'an ended session still listed carries it');
    },
  },
  {
    name: 'read: a presence broadcast on user:{id} is read by that user only; staff:sessions by staff only',
    async run(c) {
      await clearPresenceSent(c);
      await c.as('reader');
      await c.one(`select * from public.set_availability('busy')`);
      const readable = async (who: 'client' | 'otherClient' | 'reader' | 'monitor', topic: string) => {
        await c.as(who);
        await c.rows(`select set_config('realtime.topic', $1, true)`, [topic]);
        return c.n(`select 1 from realtime.messages where event = 'presence' and topic = $1`, [topic]);
      };
      c.eq(await readable('client', `user:${ID.client}`), 1, 'the client reads its own inbox');
      c.eq(await readable('otherClient', `user:${ID.client}`), 0, 'another client does not');
      c.eq(await readable('reader', `user:${ID.client}`), 0, 'nor does the reader it is about');
      c.eq(await readable('monitor', 'staff:sessions'), 1, 'staff read staff:sessions');
      c.eq(await readable('client', 'staff:sessions'), 0, 'a client does not');
    },
  },
  {
    name: 'set_presence: only the choice, away instead of online or busy, or offline; the choice changes through set_availability only',
    async run(c) {
      await c.as('reader');
      c.eq(await c.one(`select * from public.set_availability('online')`), { id: ID.reader, availability: 'online', emergency_opt_in: true }, 'choice online');
      c.eq(await c.one(`select * from public.set_presence('away')`), { availability: 'away', availability_choice: 'online' }, 'away while idle');
      c.eq(await c.one(`select * from public.set_presence('online')`), { availability: 'online', availability_choice: 'online' }, 'back');
      c.eq(await c.one(`select * from public.set_presence('offline')`), { availability: 'offline', availability_choice: 'online' }, 'signed out');
      const notChosen = await c.fails('SA500', `select * from public.set_presence('busy')`, [], 'presence.not_chosen');
      const detail = JSON.parse(notChosen.detail ?? '{}') as Record<string, unknown>;
      c.eq([detail.availability, detail.choice], ['busy', 'online'], 'detail: what was asked, what was chosen');
      await c.fails('SA461', `select * from public.set_presence('sleeping')`, [], 'profile.invalid_availability');
      await c.fails('SA461', `select * from public.set_presence(null)`, [], 'profile.invalid_availability');
      await c.one(`select * from public.set_availability('busy')`);
      c.eq((await c.one(`select * from public.set_presence('away')`)).availability, 'away', 'busy turns away too');
      // Appear offline: a console may never show such a user as present.
      await c.one(`select * from public.set_availability('offline')`);
      for (const shown of ['online', 'busy', 'away']) await c.fails('SA500', `select * from public.set_presence($1)`, [shown], 'presence.not_chosen');
      c.eq((await c.one(`select * from public.set_presence('offline')`)).availability, 'offline', 'offline stays offline');
      // Chosen away: away is the choice itself.
      await c.one(`select * from public.set_availability('away')`);
      await c.fails('SA500', `select * from public.set_presence('online')`, [], 'presence.not_chosen');
      c.eq((await c.one(`select * from public.my_profile()`)).availability_choice, 'away', 'my_profile answers the choice');
      await c.as('anon');
      await c.fails('42501', `select * from public.set_presence('online')`);
    },
  },
  {
    name: 'forgery: nobody writes availability, its choice or the lease but through the RPCs, and only ever their own',
    async run(c) {
      await c.as('reader');
      await c.one(`select * from public.presence_heartbeat()`);
      await c.fails('SA460', `update public.profiles set presence_seen_at = now() + interval '1 day' where id = auth.uid()`, [], 'profile.protected_column');
      await c.fails('SA460', `update public.profiles set presence_seen_at = null where id = auth.uid()`, [], 'profile.protected_column');
      await c.fails('SA460', `update public.profiles set availability_choice = 'busy' where id = auth.uid()`, [], 'profile.protected_column');
      await c.fails('SA460', `update public.profiles set availability = 'busy' where id = auth.uid()`, [], 'profile.protected_column');
      // Another user's row is not even there for the caller (RLS), whatever the column.
      c.eq(await c.n(`update public.profiles set presence_seen_at = now() where id = '${ID.client}' returning 1`), 0, 'another user\'s lease');
      // The RPCs take no user id: a caller's call changes the caller's row only.
      const before = await row(c, ID.client);
      await c.as('reader');
      await c.one(`select * from public.set_presence('away')`);
      await c.one(`select * from public.presence_heartbeat()`);
      c.eq(await row(c, ID.client), before, 'the client\'s row is untouched');
      // The lease is the server's clock, never the caller's.
      c.ok((await row(c, ID.reader)).fresh, 'the heartbeat stamps now()');
    },
  },
  {
    name: 'lease: a console that stops renewing it is swept offline (broadcast); fresh, offline and renewed ones are left alone; the heartbeat then says so',
    async run(c) {
      await c.as('postgres');
      // The fixtures' profiles were set online without a lease: give every one a fresh lease first.
      await c.exec(`update public.profiles set availability = 'online', presence_seen_at = now()`);
      await c.exec(`update public.profiles set presence_seen_at = now() - interval '181 seconds' where id in ('${ID.reader}', '${ID.otherReader}')`);
      await c.exec(`update public.profiles set availability = 'offline', presence_seen_at = now() - interval '1 day' where id = '${ID.otherReader}'`);
      await c.exec(`update public.profiles set presence_seen_at = now() - interval '179 seconds' where id = '${ID.client}'`);
      await clearPresenceSent(c);
      await c.as('postgres');
      c.eq((await c.one<{ n: number }>(`select public.expire_presence() as n`)).n, 1, 'one lapsed lease swept');
      c.eq((await row(c, ID.reader)).availability, 'offline', 'the lapsed reader');
      c.eq((await row(c, ID.reader)).availability_choice, 'online', 'the choice is kept');
      c.eq((await row(c, ID.client)).availability, 'online', 'a lease within 180 s is kept');
      c.eq(topics(await presenceSent(c, ID.reader)), ['staff:sessions', `user:${ID.client}`], 'the sweep is broadcast like any change');
      c.eq((await c.one<{ n: number }>(`select public.expire_presence() as n`)).n, 0, 'idempotent');
      // The reader's console comes back: its heartbeat answers offline, so it shows its state again.
      await c.as('reader');
      c.eq(await c.one(`select * from public.presence_heartbeat()`), { availability: 'offline', availability_choice: 'online' }, 'heartbeat after the sweep');
      c.eq((await c.one(`select * from public.set_presence('online')`)).availability, 'online', 'shown again');
      // Who may run the sweep: the scheduler (service role) and staff consoles, nobody else.
      for (const who of ['client', 'reader'] as const) {
        await c.as(who);
        await c.fails('SA501', `select public.expire_presence()`, [], 'presence.staff_only');
      }
      await c.as('monitor');
      await c.one(`select public.expire_presence() as n`);
      await c.exec('reset role');
      await c.exec('set local role service_role');
      await c.one(`select public.expire_presence() as n`);
    },
  },
  {
    name: 'setting: console.presence.idle_minutes defaults to 5, bounded 1..240',
    async run(c) {
      await c.as('reader');
      c.eq((await c.one<{ v: unknown }>(`select public.get_console_settings() -> 'console.presence.idle_minutes' as v`)).v, 5, 'default');
      await c.as('superAdmin');
      c.eq((await c.one<{ v: unknown }>(`select public.set_console_setting('console.presence.idle_minutes', '1') -> 'console.presence.idle_minutes' as v`)).v, 1, 'lower bound');
      await c.fails('SA471', `select public.set_console_setting('console.presence.idle_minutes', '0')`, [], 'settings.invalid_value');
      await c.fails('SA471', `select public.set_console_setting('console.presence.idle_minutes', '241')`, [], 'settings.invalid_value');
    },
  },
];
