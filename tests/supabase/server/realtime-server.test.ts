// The realtime server through the stock supabase-js client, on PGlite and on PostgreSQL 15: joins decided
// by RLS on realtime.messages, database broadcasts re-read under each socket's claims, client broadcasts
// (typing) where the write check passed, and the payload limit. Absence is proven without sleeping: a later
// broadcast the socket may read arrives after the one it must not get (one socket's events keep their order).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgres15Missing } from '../../support/postgres-server';
import { startHarness, waitFor, type Harness, type Subscription, type TestClient } from './realtime-harness';

const pg15Missing = postgres15Missing();
if (pg15Missing) console.warn(`realtime over PostgreSQL 15 skipped: ${pg15Missing}`);

const PAYLOAD_LIMIT = 2048;

describe.each([
  { engine: 'pglite' as const, skip: false },
  { engine: 'postgres' as const, skip: Boolean(pg15Missing) },
])('realtime server on $engine', ({ engine, skip }) => {
  let h: Harness;
  const who = { client: '', otherClient: '', reader: '', otherReader: '', monitor: '' };
  let s1 = '';
  let s2 = '';

  beforeAll(async () => {
    if (skip) return;
    h = await startHarness(engine, { maxClientPayloadBytes: PAYLOAD_LIMIT });
    who.client = await h.person('client', 'Client');
    who.otherClient = await h.person('client', 'Other Client');
    who.reader = await h.person('reader', 'Reader');
    who.otherReader = await h.person('reader', 'Other Reader');
    who.monitor = await h.person('monitor', 'Monitor');
    s1 = await h.session([[who.client, 'client'], [who.reader, 'reader']]);
    s2 = await h.session([[who.otherClient, 'client'], [who.otherReader, 'reader']]);
  });
  afterEach(async () => {
    await h?.closeClients();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function signedIn(userId: string, vsn?: '1.0.0' | '2.0.0'): Promise<TestClient> {
    const client = h.client(vsn ? { vsn } : {});
    await client.setAuth(h.token(userId));
    return client;
  }

  async function joined(client: TestClient, topic: string, options: Parameters<TestClient['subscribe']>[1] = {}): Promise<Subscription> {
    const sub = client.subscribe(topic, options);
    expect(await sub.nextStatus()).toEqual({ status: 'SUBSCRIBED' });
    return sub;
  }

  async function refused(client: TestClient, topic: string, options: Parameters<TestClient['subscribe']>[1] = {}): Promise<string | undefined> {
    const sub = client.subscribe(topic, options);
    const first = await sub.nextStatus();
    expect(first.status).toBe('CHANNEL_ERROR');
    // realtime-js retries a refused join by itself; the test is done with it.
    await client.supabase.removeChannel(sub.channel);
    return first.message;
  }

  const ids = (sub: Subscription) => sub.broadcasts.map((b) => b.meta?.id);
  const unique = (sub: Subscription) => expect(new Set(ids(sub)).size).toBe(sub.broadcasts.length);
  const bodies = (sub: Subscription) => sub.got('chat_message').map((b) => (b.payload.record as { body?: string }).body);

  it.skipIf(skip)('authorises joins by RLS: own user topic, staff topics for staff, session topics for participants and staff', async () => {
    const unauthorized = (topic: string) => `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;
    const client = await signedIn(who.client);
    await joined(client, `user:${who.client}`);
    await joined(client, `session:${s1}`);
    expect(await refused(client, `user:${who.reader}`)).toBe(unauthorized(`user:${who.reader}`));
    expect(await refused(client, `session:${s2}`)).toBe(unauthorized(`session:${s2}`));
    expect(await refused(client, 'staff:approvals')).toBe(unauthorized('staff:approvals'));

    const reader = await signedIn(who.reader, '1.0.0');
    await joined(reader, `session:${s1}`);
    expect(await refused(reader, 'staff:emergencies')).toBe(unauthorized('staff:emergencies'));

    const monitor = await signedIn(who.monitor);
    await joined(monitor, 'staff:approvals');
    await joined(monitor, 'staff:emergencies');
    await joined(monitor, 'staff:sessions');
    await joined(monitor, `session:${s2}`);
    expect(await refused(monitor, `user:${who.client}`)).toBe(unauthorized(`user:${who.client}`));

    // Without setAuth supabase-js joins with the anon key: RLS gives anon nothing.
    const anon = h.client();
    expect(await refused(anon, `user:${who.client}`)).toBe(unauthorized(`user:${who.client}`));
    // Public channels are not served at all.
    expect(await refused(client, `user:${who.client}-public`, { private: false })).toBe('PrivateOnly: This project only allows private channels');
    for (const c of [client, reader, monitor, anon]) await c.close();
  });

  it.skipIf(skip)('delivers a database broadcast to exactly the sockets that may read it, once each, on both serializers', async () => {
    const clientV2 = await signedIn(who.client, '2.0.0');
    const clientV1 = await signedIn(who.client, '1.0.0');
    const reader = await signedIn(who.reader);
    const otherClient = await signedIn(who.otherClient, '1.0.0');
    const monitor = await signedIn(who.monitor);
    const mine2 = await joined(clientV2, `user:${who.client}`);
    const mine1 = await joined(clientV1, `user:${who.client}`);
    const readers = await joined(reader, `user:${who.reader}`);
    const others = await joined(otherClient, `user:${who.otherClient}`);
    const approvals = await joined(monitor, 'staff:approvals');

    const sent = await h.text(s1, who.client, 'hello reader');
    for (const sub of [mine2, mine1, readers]) {
      await waitFor('the message on a participant socket', () => sub.got('chat_message').length === 1);
      const [message] = sub.got('chat_message');
      expect(message!.payload).toMatchObject({ operation: 'INSERT', table: 'chat_messages', record: { id: sent, body: 'hello reader' } });
      expect(message!.meta?.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Later broadcasts the other two sockets may read: had the first reached them, it would have come first.
    await h.text(s2, who.otherClient, 'sentinel');
    await h.pendingVoice(s2, who.otherReader);
    await waitFor('the sentinel', () => others.broadcasts.length > 0 && approvals.broadcasts.length > 0);
    expect(bodies(others)).toEqual(['sentinel']);
    expect(approvals.got('chat_message').map((b) => (b.payload.record as { session_id: string }).session_id)).toEqual([s2]);
    // Both sockets of the same user got the same row, under the same id, once.
    expect(ids(mine1)).toEqual(ids(mine2));
    for (const sub of [mine2, mine1, readers, others, approvals]) unique(sub);
    for (const c of [clientV2, clientV1, reader, otherClient, monitor]) await c.close();
  });

  it.skipIf(skip)('never sends a client a pending voice note; the sender and staff get it, the client gets the approval', async () => {
    const client = await signedIn(who.client);
    const reader = await signedIn(who.reader);
    const monitor = await signedIn(who.monitor);
    const clients = await joined(client, `user:${who.client}`);
    const readers = await joined(reader, `user:${who.reader}`);
    const approvals = await joined(monitor, 'staff:approvals');

    const note = await h.pendingVoice(s1, who.reader);
    await waitFor('the pending note for its sender', () => readers.got('chat_message').length === 1);
    await waitFor('the pending note for staff', () => approvals.got('chat_message').length === 1);
    expect(readers.got('chat_message')[0]!.payload.record).toMatchObject({ id: note, status: 'pending_approval' });

    await h.approve(note, who.monitor);
    await waitFor('the approval for the client', () => clients.got('chat_message').length > 0);
    const seen = clients.got('chat_message');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.payload).toMatchObject({ operation: 'UPDATE', old_record: null, record: { id: note, status: 'approved' } });
    await waitFor('the approval for staff', () => approvals.got('chat_message').length === 2);
    for (const sub of [clients, readers, approvals]) unique(sub);
    for (const c of [client, reader, monitor]) await c.close();
  });

  it.skipIf(skip)('re-reads every database broadcast under the socket claims: a participant removed after joining gets no more', async () => {
    const extra = await h.person('client', 'Leaving Client');
    const session = await h.session([[extra, 'client'], [who.reader, 'reader']]);
    const leaving = await signedIn(extra);
    const reader = await signedIn(who.reader);
    const leavers = await joined(leaving, `session:${session}`);
    const readers = await joined(reader, `session:${session}`);
    const send = (event: string) =>
      h.db.asPlatform((sql) => sql.query(`select realtime.send('{"n": 1}'::jsonb, $1, $2, true)`, [event, `session:${session}`]));

    await send('before');
    await waitFor('the first broadcast on both sockets', () => leavers.got('before').length === 1 && readers.got('before').length === 1);
    await h.db.asPlatform((sql) => sql.query(`delete from public.chat_participants where session_id = $1 and user_id = $2`, [session, extra]));
    await send('after');
    await waitFor('the second broadcast for the remaining participant', () => readers.got('after').length === 1);
    // The leaver's channel is still joined (Supabase checks at join), but RLS now hides the row from it.
    await send('sentinel');
    await waitFor('the sentinel for the remaining participant', () => readers.got('sentinel').length === 1);
    expect(leavers.broadcasts.map((b) => b.event)).toEqual(['before']);
    expect(readers.broadcasts[0]!).toMatchObject({ event: 'before', payload: { n: 1 } });
    for (const c of [leaving, reader]) await c.close();
  });

  it.skipIf(skip)('relays typing between participants (across serializers), to self only with self: true, and stores nothing', async () => {
    const client = await signedIn(who.client, '1.0.0');
    const reader = await signedIn(who.reader, '2.0.0');
    const outsider = await signedIn(who.otherClient);
    const clients = await joined(client, `session:${s1}`, { self: true, ack: true });
    const readers = await joined(reader, `session:${s1}`);
    const outsiders = await joined(outsider, `session:${s2}`);

    const typing = { user_id: who.client, session_id: s1 };
    expect(await clients.channel.send({ type: 'broadcast', event: 'typing', payload: typing })).toBe('ok');
    await waitFor('typing for the reader', () => readers.got('typing').length === 1);
    await waitFor('typing echoed to its sender (self)', () => clients.got('typing').length === 1);
    expect(readers.got('typing')[0]).toEqual({ type: 'broadcast', event: 'typing', payload: typing });

    const back = { user_id: who.reader, session_id: s1 };
    expect(await readers.channel.send({ type: 'broadcast', event: 'typing', payload: back })).toBe('ok');
    await waitFor('typing for the client', () => clients.got('typing').length === 2);
    expect(clients.got('typing')[1]!.payload).toEqual(back);
    // The reader does not hear itself (self: false) and the other session heard nothing.
    await outsiders.channel.send({ type: 'broadcast', event: 'typing', payload: { user_id: who.otherClient, session_id: s2 } });
    expect(readers.got('typing')).toHaveLength(1);
    expect(outsiders.broadcasts).toHaveLength(0);

    const { rows } = await h.db.asPlatform((sql) =>
      sql.query<{ n: number }>(`select count(*)::int as n from realtime.messages where topic = $1`, [`session:${s1}`]),
    );
    expect(rows[0]!.n).toBe(0);
    for (const c of [client, reader, outsider]) await c.close();
  });

  it.skipIf(skip)('refuses a broadcast on a topic the socket may only read (staff on a session), with and without ack', async () => {
    const monitorAck = await signedIn(who.monitor);
    const monitorQuiet = await signedIn(who.monitor, '1.0.0');
    const client = await signedIn(who.client);
    const reader = await signedIn(who.reader);
    const acked = await joined(monitorAck, `session:${s1}`, { ack: true });
    const quiet = await joined(monitorQuiet, `session:${s1}`);
    const clients = await joined(client, `session:${s1}`);
    const readers = await joined(reader, `session:${s1}`);

    expect(await acked.channel.send({ type: 'broadcast', event: 'typing', payload: { user_id: who.monitor } })).toBe('error');
    await quiet.channel.send({ type: 'broadcast', event: 'typing', payload: { user_id: who.monitor } });
    await waitFor('the refusal as a system message', () => quiet.systems.length === 1);
    expect(quiet.systems[0]).toEqual({
      extension: 'broadcast',
      status: 'error',
      message: `Unauthorized: You do not have permissions to write to this Channel topic: session:${s1}`,
      channel: `session:${s1}`,
    });
    await clients.channel.send({ type: 'broadcast', event: 'typing', payload: { user_id: who.client } });
    await waitFor('the participant typing', () => readers.got('typing').length === 1);
    expect(readers.got('typing').map((b) => b.payload.user_id)).toEqual([who.client]);
    expect(clients.broadcasts).toHaveLength(0);
    for (const c of [monitorAck, monitorQuiet, client, reader]) await c.close();
  });

  it.skipIf(skip)('refuses a client broadcast over the payload limit', async () => {
    const client = await signedIn(who.client);
    const reader = await signedIn(who.reader);
    const clients = await joined(client, `session:${s1}`, { ack: true });
    const readers = await joined(reader, `session:${s1}`);
    const big = { user_id: who.client, filler: 'x'.repeat(PAYLOAD_LIMIT) };
    expect(await clients.channel.send({ type: 'broadcast', event: 'typing', payload: big })).toBe('error');
    expect(await clients.channel.send({ type: 'broadcast', event: 'typing', payload: { user_id: who.client } })).toBe('ok');
    await waitFor('the small broadcast', () => readers.got('typing').length === 1);
    expect(readers.got('typing')[0]!.payload).toEqual({ user_id: who.client });
    expect(h.logs.some((m) => m.includes('PayloadSizeExceeded'))).toBe(true);
    for (const c of [client, reader]) await c.close();
  });
});
