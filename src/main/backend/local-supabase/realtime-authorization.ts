// Supabase Realtime's authorization of private channels, against the project's RLS on realtime.messages:
// at join, in one transaction under the caller's role and claims with `realtime.topic` set, a SELECT of
// probe rows decides read access and a rolled-back INSERT decides write access, per extension
// (broadcast, presence). Database broadcasts are then re-read under each subscriber's claims.
import { randomUUID } from 'node:crypto';
import type { ApiRole, PlatformDatabase, RequestClaims, Sql } from './platform-database';

export interface TopicPolicies {
  broadcastRead: boolean;
  broadcastWrite: boolean;
  presenceRead: boolean;
  presenceWrite: boolean;
}

export const API_ROLES: ReadonlySet<string> = new Set<ApiRole>(['anon', 'authenticated', 'service_role']);

/** A database error (it carries a SQLSTATE), as opposed to the database being unreachable. */
export function isDatabaseError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

const INSUFFICIENT_PRIVILEGE = '42501';

/** The settings Supabase Realtime gives every authorization transaction (besides the role). */
function requestSettings(claims: RequestClaims, topic: string): [string, string][] {
  return [
    ['realtime.topic', topic],
    ['request.jwt.claims', JSON.stringify(claims)],
    ['request.jwt.claim.sub', typeof claims.sub === 'string' ? claims.sub : ''],
    ['request.jwt.claim.role', claims.role],
  ];
}

async function enterAs(sql: Sql, claims: RequestClaims, topic: string): Promise<void> {
  // The role is interpolated nowhere: set_config('role', …) takes it as a parameter, and it was checked.
  if (!API_ROLES.has(claims.role)) throw new Error(`Refusing to authorise a channel as role ${JSON.stringify(claims.role)}.`);
  const settings = requestSettings(claims, topic);
  const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ');
  await sql.query(`select ${calls}, set_config('role', $${2 * settings.length + 1}, true)`, [...settings.flat(), claims.role]);
}

/**
 * Read and write access to `topic` for broadcast and presence. Everything runs inside a savepoint that is
 * rolled back: the probe rows, the role switch and the settings leave nothing behind (and no NOTIFY).
 */
export function authorizeTopic(database: PlatformDatabase, claims: RequestClaims, topic: string): Promise<TopicPolicies> {
  return database.asPlatform(async (sql) => {
    await sql.exec('savepoint realtime_authorization');
    // Read: probe rows written with the platform's rights, then looked for under the caller's.
    const broadcastProbe = randomUUID();
    const presenceProbe = randomUUID();
    await sql.query(`insert into realtime.messages (id, topic, extension) values ($1, $3, 'broadcast'), ($2, $3, 'presence')`, [
      broadcastProbe,
      presenceProbe,
      topic,
    ]);
    await enterAs(sql, claims, topic);
    const { rows } = await sql.query<{ id: string }>(`select id::text as id from realtime.messages where id = any ($1::uuid[])`, [
      [broadcastProbe, presenceProbe],
    ]);
    const visible = new Set(rows.map((r) => r.id));
    // Write: the insert a client's broadcast (or track) would be, refused or not by RLS.
    const canInsert = async (extension: 'broadcast' | 'presence'): Promise<boolean> => {
      await sql.exec('savepoint realtime_write_probe');
      try {
        await sql.query(`insert into realtime.messages (topic, extension) values ($1, $2)`, [topic, extension]);
        return true;
      } catch (error) {
        if (isDatabaseError(error) && error.code === INSUFFICIENT_PRIVILEGE) return false;
        throw error;
      } finally {
        await sql.exec('rollback to savepoint realtime_write_probe');
      }
    };
    const broadcastWrite = await canInsert('broadcast');
    const presenceWrite = await canInsert('presence');
    await sql.exec('rollback to savepoint realtime_authorization');
    return { broadcastRead: visible.has(broadcastProbe), presenceRead: visible.has(presenceProbe), broadcastWrite, presenceWrite };
  });
}

export interface BroadcastRow {
  id: string;
  topic: string;
  event: string | null;
  payload: unknown;
}

/**
 * The broadcast rows (private ones, as private channels receive them) among `idsByTopic` that RLS lets
 * these claims read, each topic read with `realtime.topic` set to it. One transaction for all of them.
 */
export function readBroadcasts(database: PlatformDatabase, claims: RequestClaims, idsByTopic: ReadonlyMap<string, readonly string[]>): Promise<BroadcastRow[]> {
  const topics = [...idsByTopic.keys()];
  if (topics.length === 0) return Promise.resolve([]);
  const settings = Object.fromEntries(requestSettings(claims, topics[0]!).filter(([name]) => name !== 'request.jwt.claims'));
  return database.asRequest(
    claims,
    async (sql) => {
      const found: BroadcastRow[] = [];
      for (const [index, topic] of topics.entries()) {
        if (index > 0) await sql.query(`select set_config('realtime.topic', $1, true)`, [topic]);
        const { rows } = await sql.query<BroadcastRow>(
          `select id::text as id, topic, event, payload from realtime.messages
           where id = any ($1::uuid[]) and topic = $2 and private is true`,
          [idsByTopic.get(topic), topic],
        );
        found.push(...rows);
      }
      return found;
    },
    settings,
  );
}
