// Fixed people, sessions and rows the RLS matrix and the workflows run against. Written as the
// superuser (the way an operator or the consolidation would), so every status can be set up.
import type { Engine } from './engines';

const u = (n: string) => `00000000-0000-4000-8000-${n.padStart(12, '0')}`;

export const ID = {
  client: u('c1'),
  otherClient: u('c2'),
  reader: u('a1'),
  otherReader: u('a2'),
  monitor: u('e1'),
  admin: u('ad'),
  superAdmin: u('5a'),
  // sessions
  s1: u('5001'), // client + reader (booking)
  s2: u('5002'), // otherClient + otherReader (support)
  se: u('5003'), // the client's emergency session
  // messages in s1
  text: u('b001'),
  pending: u('b002'),
  rejected: u('b003'),
  approved: u('b004'),
  // an upload of the client's not yet sent (no message)
  orphanFolder: u('f001'),
  call: u('ca11'),
  rtUserClient: u('7001'),
  rtUserReader: u('7002'),
  rtApprovals: u('7003'),
  rtStaffSessions: u('7006'),
  rtSession1: u('7004'),
  rtSession2: u('7005'),
} as const;

export const ROLES = ['anon', 'client', 'otherClient', 'reader', 'otherReader', 'monitor', 'admin', 'superAdmin'] as const;
export type Who = (typeof ROLES)[number];

export const path = {
  pending: `${ID.s1}/${ID.pending}/voice.webm`,
  rejected: `${ID.s1}/${ID.rejected}/voice.webm`,
  approved: `${ID.s1}/${ID.approved}/voice.webm`,
  orphan: `${ID.s1}/${ID.orphanFolder}/photo.png`,
};

export async function loadFixtures(db: Engine): Promise<void> {
  const people: [string, string, string, boolean][] = [
    [ID.client, 'Client One', 'client', false],
    [ID.otherClient, 'Client Two', 'client', false],
    [ID.reader, 'Reader One', 'reader', true],
    [ID.otherReader, 'Reader Two', 'reader', false],
    [ID.monitor, 'Monitor', 'monitor', false],
    [ID.admin, 'Admin', 'admin', false],
    [ID.superAdmin, 'Super Admin', 'super_admin', false],
  ];
  for (const [id, name, role, optIn] of people) {
    // The profile comes from the handle_new_user trigger, as for every account: the role from
    // app_metadata (what an admin sets through the service role), the name from user_metadata.
    await db.query(
      `insert into auth.users (id, email, aud, role, raw_app_meta_data, raw_user_meta_data)
       values ($1, $2, 'authenticated', 'authenticated', jsonb_build_object('console_role', $3::text), jsonb_build_object('display_name', $4::text))`,
      [id, `${role}-${id.slice(-4)}@example.test`, role, name],
    );
    await db.query(`update public.profiles set emergency_opt_in = $2, availability = 'online' where id = $1 returning id`, [id, optIn]);
  }
  const made = await db.rows<{ n: number }>(`select count(*)::int as n from public.profiles`);
  if (Number(made[0]?.n) !== people.length) throw new Error(`handle_new_user made ${made[0]?.n} profiles for ${people.length} accounts`);
  await db.exec(`
    insert into public.chat_sessions (id, type, created_by) values
      ('${ID.s1}', 'booking', '${ID.client}'), ('${ID.s2}', 'support', '${ID.otherClient}'),
      ('${ID.se}', 'emergency', '${ID.client}');
    insert into public.chat_participants (session_id, user_id, role_in_session) values
      ('${ID.s1}', '${ID.client}', 'client'), ('${ID.s1}', '${ID.reader}', 'reader'),
      ('${ID.s2}', '${ID.otherClient}', 'client'), ('${ID.s2}', '${ID.otherReader}', 'reader'),
      ('${ID.se}', '${ID.client}', 'client');
    insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values
      ('chat-files', '${path.pending}', '${ID.reader}', '${ID.reader}', '{"size": 2000, "mimetype": "audio/webm"}'),
      ('chat-files', '${path.rejected}', '${ID.reader}', '${ID.reader}', '{"size": 2000, "mimetype": "audio/webm"}'),
      ('chat-files', '${path.approved}', '${ID.reader}', '${ID.reader}', '{"size": 2000, "mimetype": "audio/webm"}'),
      ('chat-files', '${path.orphan}', '${ID.client}', '${ID.client}', '{"size": 10, "mimetype": "image/png"}');
    insert into public.chat_messages (id, session_id, sender_id, type, body, status, created_at) values
      ('${ID.text}', '${ID.s1}', '${ID.client}', 'text', 'hello', 'sent', now() - interval '2 days');
    insert into public.chat_messages (id, session_id, sender_id, type, storage_path, mime_type, size_bytes, duration_ms, status,
                                      reviewed_by, reviewed_at, review_reason, created_at) values
      ('${ID.pending}', '${ID.s1}', '${ID.reader}', 'audio', '${path.pending}', 'audio/webm', 2000, 3000, 'pending_approval', null, null, null, now() - interval '2 days'),
      ('${ID.rejected}', '${ID.s1}', '${ID.reader}', 'audio', '${path.rejected}', 'audio/webm', 2000, 3000, 'rejected', '${ID.monitor}', now() - interval '2 days', 'off-topic', now() - interval '2 days'),
      ('${ID.approved}', '${ID.s1}', '${ID.reader}', 'audio', '${path.approved}', 'audio/webm', 2000, 3000, 'approved', '${ID.monitor}', now() - interval '2 days', null, now() - interval '2 days');
    insert into public.emergency_calls (id, session_id, client_id, state, escalation_level, escalate_at) values
      ('${ID.call}', '${ID.se}', '${ID.client}', 'ringing', 0, now() + interval '60 seconds');
    insert into public.emergency_events (call_id, kind, actor_id) values ('${ID.call}', 'requested', '${ID.client}');
    delete from public.app_settings where key = 'console.quota.session_messages_per_day';
    insert into realtime.messages (id, topic, extension, event, payload, private) values
      ('${ID.rtUserClient}', 'user:${ID.client}', 'broadcast', 'test', '{}', true),
      ('${ID.rtUserReader}', 'user:${ID.reader}', 'broadcast', 'test', '{}', true),
      ('${ID.rtApprovals}', 'staff:approvals', 'broadcast', 'test', '{}', true),
      ('${ID.rtStaffSessions}', 'staff:sessions', 'broadcast', 'test', '{}', true),
      ('${ID.rtSession1}', 'session:${ID.s1}', 'broadcast', 'typing', '{}', true),
      ('${ID.rtSession2}', 'session:${ID.s2}', 'broadcast', 'typing', '{}', true);
  `);
}

export function claimsOf(who: Who): string | null {
  if (who === 'anon') return JSON.stringify({ role: 'anon' });
  return JSON.stringify({ sub: ID[who], role: 'authenticated', aud: 'authenticated' });
}

/** Inside an open transaction: act as `who` (role + JWT claims, as the API layer does). */
export async function actAs(db: Engine, who: Who | 'postgres'): Promise<void> {
  await db.exec('reset role');
  if (who === 'postgres') {
    await db.query(`select set_config('request.jwt.claims', '', true)`);
    return;
  }
  await db.query(`select set_config('request.jwt.claims', $1, true)`, [claimsOf(who)]);
  await db.exec(`set local role ${who === 'anon' ? 'anon' : 'authenticated'}`);
}
