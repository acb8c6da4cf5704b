// A searchable corpus for the search benchmark (bench/sql/search.bench.ts) and the search plan check
// (tests/sql/plans.ts), on a database made by startScaleDatabase (its sessions are in the temporary table bench_seed
// of the admin connection). Each message: six words drawn from 40 common ones (Arabic with its diacritics, and
// English; each word is in about 15% of the messages), one of 1,000 "medium" tokens (each in about 0.1%) and one of
// 200,000 "rare" tokens (each in a handful). Written with triggers off, as scale-seed.ts writes, so search_vector is
// computed here, with the trigger's own function.
import pg from 'pg';
import type { ReadCall, ScaleDatabase } from './scale-database';

export const COMMON_WORDS = [
  'الكِتَابُ', 'قِرَاءَةٌ', 'التَّارُوت', 'بِطَاقَةٌ', 'الحُبُّ', 'المُسْتَقْبَلُ', 'رِسَالَةٌ', 'أَحْمَدُ', 'إِيمَانٌ', 'السَّلَامُ',
  'القَمَرُ', 'الشَّمْسُ', 'طَرِيقٌ', 'مَدْرَسَةٌ', 'عَلَى', 'العَمَلُ', 'صَدِيقٌ', 'سُؤَالٌ', 'جَوَابٌ', 'اليَوْمَ',
  'reading', 'tarot', 'card', 'love', 'future', 'message', 'moon', 'sun', 'career', 'question',
  'answer', 'today', 'tomorrow', 'family', 'travel', 'money', 'health', 'dream', 'choice', 'patience',
];
export const MEDIUM_TOKENS = 1_000;
export const RARE_TOKENS = 200_000;

export async function seedSearchCorpus(admin: pg.Client, messages: number): Promise<void> {
  const { rows: [count] } = await admin.query<{ n: number }>('select count(*)::int as n from bench_seed');
  const sessions = count!.n;
  const perSession = Math.max(1, Math.floor(messages / sessions));
  // The GIN index is built once at the end rather than maintained row by row (several times faster to seed).
  const { rows: [index] } = await admin.query<{ def: string }>(`select indexdef as def from pg_indexes where indexname = 'chat_messages_search_idx'`);
  if (!index) throw new Error('chat_messages_search_idx is missing: are the migrations applied?');
  await admin.query('drop index public.chat_messages_search_idx');
  await admin.query('set session_replication_role = replica');
  try {
    const slice = Math.max(1, Math.floor(100_000 / sessions));
    for (let from = 1; from <= perSession; from += slice) {
      const to = Math.min(perSession, from + slice - 1);
      // Message k of session n: created an hour apart per k from two days ago on, so hits spread over time.
      await admin.query(
        `insert into public.chat_messages (session_id, sender_id, type, body, status, created_at, search_vector)
           select m.session_id, m.client_id, 'text', m.body, 'sent', m.created_at, private.search_vector(m.body) from (
           select s.session_id, s.client_id,
                  (select string_agg(($3::text[])[1 + abs(hashint4(k * 7 + j * 104729 + s.n * 7919)) % cardinality($3::text[])], ' ')
                     from generate_series(1, 6) j)
                  || ' mid' || abs(hashint4(k * 13 + s.n * 31)) % ${MEDIUM_TOKENS}
                  || ' rare' || abs(hashint4(k * 17 + s.n * 65537)) % ${RARE_TOKENS} as body,
                  now() - interval '2 days' + k * interval '1 second' + s.n * interval '1 millisecond' as created_at
           from generate_series($1::int, $2::int) k cross join bench_seed s) m`,
        [from, to, COMMON_WORDS],
      );
    }
  } finally {
    await admin.query('set session_replication_role = origin');
    await admin.query(index.def);
  }
  // ANALYZE samples 300 rows per statistics point: at 1,000 the sample is the whole table at the plan check's
  // size, so the lexeme frequencies, and so the plans, are the same on every run rather than a draw.
  await admin.query('set default_statistics_target = 1000');
  await admin.query('vacuum analyze public.chat_messages');
  await admin.query('reset default_statistics_target');
}

/** One request as PostgREST runs it, for any user: begin, claims and role, the statement, commit. */
export interface UserCall {
  call<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  end(): Promise<void>;
}

export async function connectAsUser(db: ScaleDatabase, userId: string): Promise<UserCall> {
  const client = new pg.Client({ connectionString: db.server.url });
  client.on('notice', () => undefined);
  await client.connect();
  const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
  return {
    async call<R>(text: string, params: unknown[] = []) {
      await client.query('begin');
      try {
        await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [claims]);
        const { rows } = await client.query(text, params);
        await client.query('commit');
        return rows as R[];
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
    },
    end: () => client.end(),
  };
}

/** The searches a staff console makes, each with the index its query must use. */
export const SEARCH_CALLS: ReadCall[] = [
  {
    name: 'search_messages across sessions, a rare word',
    sql: `select * from public.search_messages('rare4242', null, null, null, 20)`,
    params: () => [],
    indexes: ['chat_messages_search_idx'],
  },
  {
    name: 'search_messages across sessions, a medium word',
    sql: `select * from public.search_messages('mid42', null, null, null, 20)`,
    params: () => [],
    indexes: ['chat_messages_search_idx'],
  },
  {
    // Selective as a whole (an Arabic word in 15% of messages and a medium token): with a common pair, walking the
    // newest messages until 20 match is the cheaper plan, and the planner rightly takes it.
    name: 'search_messages across sessions, Arabic unvowelled + a word',
    sql: `select * from public.search_messages('قمر mid742', null, null, null, 20)`,
    params: () => [],
    indexes: ['chat_messages_search_idx'],
  },
  {
    name: 'search_messages in one session, a common word',
    sql: `select * from public.search_messages('tarot', $1, null, null, 20)`,
    params: (db) => [db.seeded[Math.floor(db.seeded.length / 2)]!.sessionId],
    // The session's keyset index or the GIN index, as the planner finds cheaper; never a scan.
    indexes: [],
  },
];
