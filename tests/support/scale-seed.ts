// Used by the scale benchmarks (bench/scale, bench/sql) and the SQL plan check (tests/sql/plans.ts).
// Seeds a platform-sized database for the scale benchmarks: N support sessions, each with one client (and the given
// staff member as a participant, unless they only look on), and M text messages spread evenly over them. Written as the database owner with
// triggers off (session_replication_role = replica): the rows are what the RPCs would have written, without paying
// for a million broadcasts nobody listens to. Works on PGlite and on PostgreSQL through the same two calls.
export interface SeedSql {
  exec(sql: string): Promise<unknown>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface SeedOptions {
  /** The staff member (or reader) who follows every session. */
  staffId: string;
  sessions: number;
  messages: number;
  /** Messages the staff member has not read yet, per session (the last ones). */
  unreadPerSession?: number;
  /** False: the staff member has joined no session and follows them as staff do, on the staff feed (default true). */
  joined?: boolean;
}

export interface SeededSession {
  sessionId: string;
  clientId: string;
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

export async function seedSessions(sql: SeedSql, options: SeedOptions): Promise<SeededSession[]> {
  const { staffId, sessions, messages } = options;
  const unread = options.unreadPerSession ?? 3;
  const joined = options.joined ?? true;
  const perSession = Math.max(1, Math.floor(messages / sessions));
  await sql.exec('set session_replication_role = replica');
  try {
    await sql.exec(`create temporary table if not exists bench_seed (n int primary key, client_id uuid not null, session_id uuid not null)`);
    await sql.exec('truncate bench_seed');
    await sql.query(`insert into bench_seed select g, gen_random_uuid(), gen_random_uuid() from generate_series(1, $1::int) g`, [sessions]);
    await sql.exec(`
      insert into auth.users (id, aud, role, email, created_at, updated_at)
        select client_id, 'authenticated', 'authenticated', 'bench-client-' || n || '@bench.test', now(), now() from bench_seed;
      insert into public.profiles (id, display_name, role, preferred_language)
        select client_id, 'Client ' || n, 'client', 'en' from bench_seed;`);
    // Message k of session n is created at base + k seconds, so the keyset order and last_message_at are known.
    await sql.query(
      `insert into public.chat_sessions (id, type, status, last_message_at, created_at, created_by)
         select session_id, 'support', 'active', now() - interval '1 day' + ($1::int - 1) * interval '1 second' + n * interval '1 millisecond',
                now() - interval '2 days', client_id from bench_seed`,
      [perSession],
    );
    await sql.query(
      `insert into public.chat_participants (session_id, user_id, role_in_session, last_read_at, joined_at)
         select session_id, client_id, 'client', now(), now() - interval '2 days' from bench_seed` +
        (joined
          ? `
         union all
         select session_id, $1::uuid, 'staff', now() - interval '1 day' + ($2::int - $3::int - 1) * interval '1 second' + n * interval '1 millisecond',
                now() - interval '2 days' from bench_seed`
          : ''),
      joined ? [staffId, perSession, unread] : [],
    );
    // In slices of about 100,000 rows: one statement of a million rows would hold every index page at once.
    const slice = Math.max(1, Math.floor(100_000 / sessions));
    for (let from = 1; from <= perSession; from += slice) {
      const to = Math.min(perSession, from + slice - 1);
      await sql.query(
        `insert into public.chat_messages (session_id, sender_id, type, body, status, created_at)
           select s.session_id, s.client_id, 'text', 'seed message ' || k || ' of session ' || s.n, 'sent',
                  now() - interval '1 day' + (k - 1) * interval '1 second' + s.n * interval '1 millisecond'
           from generate_series($1::int, $2::int) k cross join bench_seed s`,
        [from, to],
      );
    }
    const { rows } = await sql.query<{ session_id: string; client_id: string }>('select session_id, client_id from bench_seed order by n');
    return rows.map((r) => ({ sessionId: r.session_id, clientId: r.client_id }));
  } finally {
    await sql.exec('set session_replication_role = origin');
    await sql.exec('analyze');
  }
}

/** Voice notes waiting for review, spread over the seeded sessions, oldest first (the approval queue). */
export async function seedPendingAudio(sql: SeedSql, count: number): Promise<void> {
  await sql.exec('set session_replication_role = replica');
  try {
    await sql.query(
      `insert into public.chat_messages (session_id, sender_id, type, storage_path, mime_type, size_bytes, duration_ms, status, created_at)
         select s.session_id, s.client_id, 'audio', s.session_id || '/' || g || '.webm', 'audio/webm', 20000, 4000, 'pending_approval',
                now() - interval '1 hour' + g * interval '1 second'
         from generate_series(1, $1::int) g join bench_seed s on s.n = 1 + (g * 7919) % (select count(*) from bench_seed)`,
      [count],
    );
  } finally {
    await sql.exec('set session_replication_role = origin');
    await sql.exec('analyze public.chat_messages');
  }
}
