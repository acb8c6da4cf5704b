// Message search (search_messages, message_context; supabase/migrations/20261201002400_message_search.sql): Arabic
// folding, English, what RLS hides, keyset paging, refusals, and the TypeScript twin of the folding. Each case runs
// in a transaction that is rolled back; its rows are written as the owner with explicit timestamps.
import { randomUUID } from 'node:crypto';
import { ID, type Who } from './fixtures';
import type { Ctx, Workflow } from './workflows';
import { normalizeForSearch } from '../../src/shared/search/normalize';

type Row = Record<string, unknown>;

interface Msg {
  session?: string;
  sender?: string;
  body: string | null;
  type?: string;
  status?: string;
  /** SQL interval before now(). */
  ago: string;
}

async function put(c: Ctx, m: Msg): Promise<string> {
  await c.as('postgres');
  const id = randomUUID();
  const type = m.type ?? 'text';
  const session = m.session ?? ID.s1;
  const file = type === 'audio';
  await c.rows(
    `insert into public.chat_messages (id, session_id, sender_id, type, body, status, storage_path, mime_type, size_bytes, duration_ms, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() - $11::interval)`,
    [id, session, m.sender ?? ID.reader, type, m.body, m.status ?? 'sent', file ? `${session}/${id}/n.webm` : null,
     file ? 'audio/webm' : null, file ? 10 : null, file ? 1000 : null, m.ago],
  );
  return id;
}

async function search(c: Ctx, who: Who, query: string, options: { session?: string; before?: Row; limit?: number } = {}): Promise<string[]> {
  await c.as(who);
  const rows = await c.rows(
    `select id from public.search_messages($1, $2, $3, $4, $5)`,
    [query, options.session ?? null, options.before?.created_at ?? null, options.before?.id ?? null, options.limit ?? 20],
  );
  return rows.map((r) => r.id as string);
}

export const SEARCH_WORKFLOWS: Workflow[] = [
  {
    name: 'Arabic: a query without diacritics finds text with them; alef, yeh, teh marbuta and tatweel variants match; the article is optional',
    async run(c) {
      const vowelled = await put(c, { body: 'قَرَأْتُ الكِتَابَ فِي المَدْرَسَةِ مَعَ أَحْمَدَ مَعَ إِسْلَامٍ عَلَى الطَّاوِلَةِ', ago: '3 hours' });
      const plain = await put(c, { body: 'بطاقة اليوم: الحب والقمر، ومشي إلى آمنة', ago: '2 hours' });
      const tatweel = await put(c, { body: 'رســـالة طويلـــة بالكتاب', ago: '1 hour' });
      const cases: [string, string[]][] = [
        ['كتاب', [tatweel, vowelled]], // الكِتَابَ (vowelled, with the article) and بالكتاب (with بال)
        ['الكتاب', [tatweel, vowelled]], // the article in the query is optional too
        ['الكِتَابُ', [tatweel, vowelled]], // diacritics in the query go as well
        ['مدرسه', [vowelled]], // ة → ه
        ['مدرسة', [vowelled]],
        ['احمد', [vowelled]], // أ → ا
        ['اسلام', [vowelled]], // إ → ا
        ['علي', [vowelled]], // ى → ي
        ['على', [vowelled]],
        ['امنه', [plain]], // آ → ا, ة → ه
        ['آمنة', [plain]],
        ['بطاقه اليوم', [plain]], // every term required
        ['قمر', [plain]], // والقمر: و + ال
        ['رسالة', [tatweel]], // tatweel
        ['رسا', [tatweel]], // a word prefix
        ['كتاب قمر', []],
      ];
      for (const [query, want] of cases) c.eq(await search(c, 'client', query), want, `client searching ${query}`);
    },
  },
  {
    name: 'English: case-folded, accents folded, word prefixes, every term required; punctuation is no term',
    async run(c) {
      const a = await put(c, { body: 'Your TAROT Reading is ready: the Moon and the Star.', ago: '3 hours' });
      const b = await put(c, { body: 'Meet me at the Café, tarot-cards in hand', sender: ID.client, ago: '2 hours' });
      const cases: [string, string[]][] = [
        ['tarot', [b, a]],
        ['TAROT', [b, a]],
        ['read', [a]],
        ['reading ready', [a]],
        ['moon star', [a]],
        ['cafe', [b]],
        ['CAFÉ', [b]],
        ['cards', [b]],
        ['tarot-cards', [b]],
        ['moon café', []],
        ['  star!  ', [a]],
      ];
      for (const [query, want] of cases) c.eq(await search(c, 'reader', query), want, `reader searching ${query}`);
    },
  },
  {
    name: 'RLS: a client never finds a pending or rejected voice note or another client\'s messages; the sender and staff do; deleted messages are not found',
    async run(c) {
      const pending = await put(c, { type: 'audio', status: 'pending_approval', body: 'moonlight caption', ago: '3 hours' });
      const rejected = await put(c, { type: 'audio', status: 'pending_approval', body: 'moonlight rejected', ago: '2 hours' });
      const approved = await put(c, { type: 'audio', status: 'pending_approval', body: 'moonlight approved', ago: '1 hour' });
      await c.rows(`update public.chat_messages set status = 'rejected', reviewed_by = $2, reviewed_at = now(), review_reason = 'off-topic' where id = $1`, [rejected, ID.monitor]);
      await c.rows(`update public.chat_messages set status = 'approved', reviewed_by = $2, reviewed_at = now() where id = $1`, [approved, ID.monitor]);
      const other = await put(c, { session: ID.s2, sender: ID.otherClient, body: 'moonlight in another session', ago: '4 hours' });
      const gone = await put(c, { status: 'deleted', body: null, ago: '5 hours' });
      c.eq(await search(c, 'client', 'moonlight'), [approved], 'the client: only the approved note of their own session');
      c.eq(await search(c, 'client', 'moonlight', { session: ID.s1 }), [approved], 'within the session too');
      await c.fails('SA404', `select * from public.search_messages('moonlight', $1)`, [ID.s2], 'chat.session_not_found');
      c.eq(await search(c, 'otherClient', 'moonlight'), [other], 'the other client: their own');
      c.eq(await search(c, 'reader', 'moonlight'), [approved, rejected, pending], 'the sender: their notes whatever their state');
      c.eq(await search(c, 'otherReader', 'moonlight'), [other], 'another reader: their session only');
      c.eq(await search(c, 'monitor', 'moonlight'), [approved, rejected, pending, other], 'staff: everything');
      await c.as('client');
      const [row] = await c.rows(`select * from public.search_messages('moonlight')`);
      c.eq([row?.reviewed_by, row?.review_reason], [null, null], 'a hit is the participant-shaped row: no reviewer for the client');
      await c.as('postgres');
      c.eq(await c.rows(`select search_vector is null as empty from public.chat_messages where id = $1`, [gone]), [{ empty: true }], 'a deleted message has nothing to find');
      await c.as('anon');
      await c.fails('42501', `select * from public.search_messages('moonlight')`);
    },
  },
  {
    name: 'RLS: a RESTRICTIVE policy added later (staff-only rows) hides its rows from search too, and a page is still full',
    async run(c) {
      const shown = [await put(c, { body: 'crystal one', ago: '5 hours' }), await put(c, { body: 'crystal two', ago: '4 hours' })];
      const hidden = [await put(c, { body: 'crystal staff-only', ago: '2 hours' }), await put(c, { body: 'crystal staff-only', ago: '1 hour' })];
      await c.as('postgres');
      // What another migration could add: rows only staff may read, whatever the other policies grant.
      await c.exec(`create policy search_test_staff_only on public.chat_messages as restrictive for select to authenticated
                      using (body is null or body not like '%staff-only%' or (select private.is_staff()))`);
      c.eq(await search(c, 'client', 'crystal', { limit: 2 }), [shown[1], shown[0]], 'the client: a full page of what they may read');
      c.eq(await search(c, 'client', 'crystal', { limit: 1 }), [shown[1]], 'past the hidden rows');
      c.eq(await search(c, 'monitor', 'crystal', { limit: 2 }), [hidden[1], hidden[0]], 'staff still find them');
    },
  },
  {
    name: 'paging: keyset pages of the newest hits, stable while new messages arrive; ties on created_at ordered by id',
    async run(c) {
      const made: string[] = [];
      for (let i = 0; i < 7; i++) made.push(await put(c, { body: `candle ${i}`, ago: `${10 - i} minutes` }));
      // Two at the same instant: the id decides.
      const tie = [await put(c, { body: 'candle tie', ago: '30 minutes' }), await put(c, { body: 'candle tie', ago: '30 minutes' })].sort().reverse();
      const want = [...made.reverse(), ...tie];
      const pages: string[][] = [];
      let before: Row | undefined;
      for (;;) {
        const page = await search(c, 'client', 'candle', { limit: 3, ...(before ? { before } : {}) });
        if (page.length === 0) break;
        pages.push(page);
        await c.as('client');
        before = await c.one(`select id, created_at::text as created_at from public.search_messages('candle') where id = $1`, [page.at(-1)]);
        // Arrivals between two pages do not move the next one.
        await put(c, { body: 'candle new', ago: '0 seconds' });
      }
      c.eq(pages.map((p) => p.length), [3, 3, 3], 'three full pages, then none');
      c.eq(pages.flat(), want, 'newest first, each hit once');
      const all = await search(c, 'client', 'candle', { limit: 100 });
      c.eq(all.length, want.length + 3, 'the arrivals are found on a fresh search');
      await c.as('client');
      await c.fails('SA400', `select * from public.search_messages('candle', null, now(), null)`, [], 'request.invalid_argument');
      for (const bad of [0, 101]) await c.fails('SA400', `select * from public.search_messages('candle', null, null, null, $1)`, [bad], 'request.invalid_argument');
    },
  },
  {
    name: 'refusals: an empty query, punctuation alone, more than 200 characters, more than 12 terms',
    async run(c) {
      await c.as('client');
      for (const q of ['', '   ', '\u200b', '?!،؟']) {
        await c.fails('SA550', `select * from public.search_messages($1)`, [q], 'search.query_empty');
      }
      await c.fails('SA550', `select * from public.search_messages(null)`, [], 'search.query_empty');
      const long = await c.fails('SA551', `select * from public.search_messages($1)`, ['a'.repeat(201)], 'search.query_too_long');
      c.eq(JSON.parse(long.detail ?? '{}'), { max: 200, length: 201 }, 'the refusal says the length and the limit');
      c.eq(await search(c, 'client', 'a'.repeat(200)), [], 'exactly 200 characters is a query');
      const many = Array.from({ length: 13 }, (_, i) => `w${i}`).join(' ');
      await c.fails('SA552', `select * from public.search_messages($1)`, [many], 'search.too_many_terms');
      c.eq(await search(c, 'client', "o'brien \\ back\\slash"), [], 'quotes and backslashes are no tsquery syntax');
    },
  },
  {
    name: 'message_context: the hit with the messages around it, oldest first, as the caller may see them',
    async run(c) {
      const before = [await put(c, { body: 'b1', ago: '50 minutes' }), await put(c, { body: 'b2', ago: '40 minutes' })];
      const hidden = await put(c, { type: 'audio', status: 'pending_approval', body: null, ago: '35 minutes' });
      const hit = await put(c, { body: 'the hit', ago: '30 minutes' });
      const after = [await put(c, { body: 'a1', ago: '20 minutes' }), await put(c, { body: 'a2', ago: '10 minutes' })];
      await c.as('client');
      const ids = async (sql: string, params: unknown[]) => (await c.rows(sql, params)).map((r) => r.id);
      c.eq(await ids(`select id from public.message_context($1, 2, 1)`, [hit]), [...before, hit, after[0]], 'two before, the hit, one after; the pending note is not there');
      await c.as('reader');
      c.eq(await ids(`select id from public.message_context($1, 1, 1)`, [hit]), [hidden, hit, after[0]], 'its sender sees the pending note');
      const other = await put(c, { session: ID.s2, sender: ID.otherClient, body: 'elsewhere', ago: '1 hour' });
      await c.as('client');
      await c.fails('SA405', `select * from public.message_context($1)`, [other], 'chat.message_not_found');
      await c.fails('SA405', `select * from public.message_context($1)`, [hidden], 'chat.message_not_found');
      await c.fails('SA400', `select * from public.message_context($1, 0)`, [hit], 'request.invalid_argument');
    },
  },
  {
    name: 'folding: private.search_normalize and src/shared/search/normalize.ts agree on Arabic, Persian and Latin text',
    async run(c) {
      const corpus = [
        'مَرْحَبًا بِكُمْ فِي قِرَاءَةِ التَّارُوت', 'أإآٱ ؤ ئ ء ى ی ة ک', 'كتــــاب', '٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹', 'ﻻ ﷲ ﭐ',
        'ÉCOLE Café naïve Straße İstanbul ΣΟΦΙΑ', 'zero\u200bwidth\u200dmark\u200fdir\u2066iso\u2069', 'soft\u00adhyphen', 'ﬁne ½ ①',
        'بِسْمِ ٱللَّٰهِ ٱلرَّحْمَٰنِ ٱلرَّحِيمِ', 'رسالة 🌙 مع رمز',
      ];
      await c.as('postgres');
      for (const text of corpus) {
        const [row] = await c.rows<{ n: string }>(`select private.search_normalize($1) as n`, [text]);
        c.eq(normalizeForSearch(text), row?.n, `folding ${text}`);
      }
      c.eq(await c.n(`select 1 from pg_indexes where indexname = 'chat_messages_search_idx' and indexdef like '%USING gin (search_vector)%'`), 1, 'the GIN index');
    },
  },
];
