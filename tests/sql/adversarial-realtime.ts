// Every realtime topic × identity × event, read and write. Rows are written as the platform (what the
// triggers and realtime.send write, plus the probe rows Supabase Realtime writes at join: {topic, extension}
// with event and payload null), then read as each identity with realtime.topic set, as Realtime reads them.
// The readers of each topic are written out below; what an event changes is written out as rules:
//   - only the broadcast and presence extensions are ever readable (not another extension's rows);
//   - a user's own typing is not read back by that user.
// Writes: nobody but the service role (which bypasses RLS) inserts, updates or deletes a row, on any topic,
// with any event or none (the join-time write probe included): typing goes through broadcast_typing().
import { ID, ROLES } from './fixtures';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import { ATTACKERS, actAsAttacker, attempt, describe, freshId, type Attacker } from './adversarial-support';

// Letters per identity, in ATTACKERS order: anon, client, otherClient, reader, otherReader, monitor, admin,
// superAdmin, service. 1 = may read the topic.
const TOPICS: [string, string][] = [
  [`user:${ID.client}`, '010000001'],
  [`user:${ID.reader}`, '000100001'],
  [`user:${ID.monitor}`, '000001001'],
  ['staff:approvals', '000001111'],
  ['staff:emergencies', '000001111'],
  ['staff:sessions', '000001111'],
  [`session:${ID.s1}`, '010101111'],
  [`session:${ID.s2}`, '001011111'],
  [`session:${ID.se}`, '010001111'],
  // Staff may follow any session's topic (they may join any session).
  [`session:${freshId()}`, '000001111'],
  ['session:not-a-uuid', '000001111'],
  [`user:${ID.client} `, '000000001'],
  [`user:${ID.client.toUpperCase()}`, '000000001'],
  ['user:', '000000001'],
  ['', '000000001'],
  ['staff:*', '000000001'],
  [`realtime:user:${ID.client}`, '000000001'],
  ['broadcast', '000000001'],
];

interface Kind {
  label: string;
  extension: string;
  event: string | null;
  payload: Record<string, unknown> | null;
  /** Whom the event hides from, among those who may read the topic. */
  hiddenFrom?: Attacker;
}

const KINDS: Kind[] = [
  { label: 'chat_message', extension: 'broadcast', event: 'chat_message', payload: {} },
  { label: 'emergency_call', extension: 'broadcast', event: 'emergency_call', payload: {} },
  { label: 'session_activity', extension: 'broadcast', event: 'session_activity', payload: {} },
  { label: 'presence', extension: 'broadcast', event: 'presence', payload: { user_id: ID.reader, availability: 'online' } },
  { label: "the client's typing", extension: 'broadcast', event: 'typing', payload: { user_id: ID.client }, hiddenFrom: 'client' },
  { label: "the reader's typing", extension: 'broadcast', event: 'typing', payload: { user_id: ID.reader }, hiddenFrom: 'reader' },
  { label: 'broadcast join probe', extension: 'broadcast', event: null, payload: null },
  { label: 'presence join probe', extension: 'presence', event: null, payload: null },
  { label: 'another extension', extension: 'postgres_changes', event: 'x', payload: {} },
];

const readable = (topicLetters: string, i: number, who: Attacker, kind: Kind) =>
  who === 'service' || (topicLetters[i] === '1' && kind.extension !== 'postgres_changes' && kind.hiddenFrom !== who);

export async function runTopicMatrix(db: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  if (ATTACKERS.length !== ROLES.length + 1 || TOPICS.some(([, l]) => l.length !== ATTACKERS.length)) {
    throw new Error('topic letters: one per identity, the fixtures\' roles then the service role');
  }
  await db.exec('begin');
  try {
    await actAsAttacker(db, 'postgres');
    const rows: { id: string; topic: string; kind: Kind }[] = [];
    for (const [topic] of TOPICS) {
      for (const kind of KINDS) {
        const id = freshId();
        await db.query(`insert into realtime.messages (id, topic, extension, event, payload, private) values ($1, $2, $3, $4, $5, true)`,
          [id, topic, kind.extension, kind.event, kind.payload === null ? null : JSON.stringify(kind.payload)]);
        rows.push({ id, topic, kind });
      }
    }
    for (const [topic, letters] of TOPICS) {
      const mine = rows.filter((r) => r.topic === topic);
      for (const [i, who] of ATTACKERS.entries()) {
        await actAsAttacker(db, who);
        await db.query(`select set_config('realtime.topic', $1, true)`, [topic]);
        const problems: string[] = [];
        // Read
        const seen = await attempt(db, `select id::text as id from realtime.messages where id = any ($1::uuid[])`, [mine.map((r) => r.id)]);
        if (!seen.ok) {
          if (mine.some((r) => readable(letters, i, who, r.kind))) problems.push(`read refused: ${describe(seen)}`);
        } else {
          const ids = new Set((JSON.parse(seen.text) as { id: string }[]).map((r) => r.id));
          for (const r of mine) {
            const want = readable(letters, i, who, r.kind);
            if (ids.has(r.id) !== want) problems.push(`${r.kind.label}: ${want ? 'not read' : 'read'}`);
          }
        }
        results.push({ name: `adversarial topic ${JSON.stringify(topic)} | read | ${who}`, ok: problems.length === 0, detail: problems.join('; ') });
        // Write: every extension and event, as a client broadcast or track would be, and the join-time probe.
        const writes: string[] = [];
        for (const [extension, event, payload] of [
          ['broadcast', 'typing', { user_id: ID.client }], ['broadcast', 'chat_message', { record: {} }], ['broadcast', null, null],
          ['presence', null, null], ['presence', 'track', { user_id: ID.client }],
        ] as const) {
          const o = await attempt(db, `insert into realtime.messages (topic, extension, event, payload, private) values ($1, $2, $3, $4, true)`,
            [topic, extension, event, payload === null ? null : JSON.stringify(payload)]);
          const allowedWrite = who === 'service';
          if (o.ok !== allowedWrite || (!o.ok && o.code !== '42501')) writes.push(`insert ${extension}/${event}: ${describe(o)}`);
        }
        const upd = await attempt(db, `with x as (update realtime.messages set payload = '{"forged": true}' where id = any ($1::uuid[]) returning 1) select count(*)::int as n from x`, [mine.map((r) => r.id)]);
        const changed = upd.ok ? (JSON.parse(upd.text) as { n: number }[])[0]!.n : -1;
        if (who === 'service' ? changed !== mine.length : !(changed === 0 || (!upd.ok && upd.code === '42501'))) writes.push(`update: ${describe(upd)}`);
        const del = await attempt(db, `delete from realtime.messages where id = any ($1::uuid[])`, [mine.map((r) => r.id)]);
        if (who === 'service' ? !del.ok : del.ok || del.code !== '42501') writes.push(`delete: ${describe(del)}`);
        results.push({ name: `adversarial topic ${JSON.stringify(topic)} | write | ${who}`, ok: writes.length === 0, detail: writes.join('; ') });
      }
    }
  } finally {
    await db.exec('rollback');
  }
  return results;
}
