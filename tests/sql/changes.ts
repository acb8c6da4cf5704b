// messages_changed_since: the server-side change cursor, through committed transactions (a cursor is a
// snapshot, so rows written inside the caller's own open transaction are not what it is about). On
// both engines: start, new rows, edits, flags, approvals, RLS, pages, refusals. On PostgreSQL (real
// concurrent connections): a transaction that commits after a later one must not be skipped, neither
// between answers nor behind a page's position. Runs after the other sections, in its own sessions.
import { randomUUID } from 'node:crypto';
import { ID, actAs, type Who } from './fixtures';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import { SEND_SQL, sendParams } from './workflows';

type Row = Record<string, unknown>;
interface Changes {
  messages: Row[];
  cursor: string;
  complete: boolean;
}

async function tx<R>(db: Engine, who: Who | 'postgres', fn: () => Promise<R>): Promise<R> {
  await db.exec('begin');
  try {
    await actAs(db, who);
    const r = await fn();
    await db.exec('commit');
    return r;
  } catch (e) {
    await db.exec('rollback');
    throw e;
  }
}

async function changed(db: Engine, who: Who, cursor: string | null, limit = 500): Promise<Changes> {
  return tx(db, who, async () => {
    const r = await db.rows<{ r: Changes | string }>(`select public.messages_changed_since($1, $2) as r`, [cursor, limit]);
    const v = r[0]!.r;
    return typeof v === 'string' ? (JSON.parse(v) as Changes) : v;
  });
}

async function sendText(db: Engine, who: Who, session: string, body: string): Promise<string> {
  return tx(db, who, async () => String((await db.rows(SEND_SQL, sendParams({ session, type: 'text', body })))[0]!.id));
}

async function failsWith(db: Engine, who: Who, sql: string, params: unknown[], code: string, key: string): Promise<void> {
  try {
    await tx(db, who, () => db.rows(sql, params));
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code !== code || err.message !== key) throw new Error(`expected ${code} ${key}, got ${err.code} ${err.message}`, { cause: e });
    return;
  }
  throw new Error(`expected ${code} ${key} but it succeeded: ${sql}`);
}

const idsOf = (c: Changes) => c.messages.map((m) => m.id as string);
const eq = (actual: unknown, expected: unknown, what: string) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

export async function runChanges(db: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const check = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
      results.push({ name: `changes ${name}`, ok: true });
    } catch (error) {
      results.push({ name: `changes ${name}`, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };

  // Two sessions of their own, committed: X (client + reader), Y (otherClient + otherReader).
  const X = randomUUID();
  const Y = randomUUID();
  await tx(db, 'postgres', async () => {
    await db.query(`insert into public.chat_sessions (id, type, created_by) values ($1, 'support', $2), ($3, 'support', $4)`, [X, ID.client, Y, ID.otherClient]);
    await db.query(
      `insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'client'), ($1, $3, 'reader'), ($4, $5, 'client'), ($4, $6, 'reader')`,
      [X, ID.client, ID.reader, Y, ID.otherClient, ID.otherReader],
    );
  });

  await check('a null cursor starts now: no messages, a cursor, complete', async () => {
    const c0 = await changed(db, 'client', null);
    eq([c0.messages, c0.complete, typeof c0.cursor], [[], true, 'string'], 'start');
    eq(idsOf(await changed(db, 'client', c0.cursor)), [], 'nothing happened since');
  });

  await check('new and edited messages are returned once each change; a flag alone is no change for participants', async () => {
    const c0 = await changed(db, 'client', null);
    const m = await sendText(db, 'reader', X, 'hello');
    const r1 = await changed(db, 'client', c0.cursor);
    eq([idsOf(r1), r1.messages[0]?.body, r1.complete], [[m], 'hello', true], 'the new message');
    eq(Object.keys(r1.messages[0]!).sort(), ['body', 'client_message_id', 'created_at', 'duration_ms', 'edited_at', 'id', 'mime_type', 'reply_to', 'review_reason', 'reviewed_at', 'reviewed_by', 'sender_id', 'session_id', 'size_bytes', 'status', 'storage_path', 'type', 'waveform'], 'chat_message_view objects');
    eq(idsOf(await changed(db, 'client', r1.cursor)), [], 'not again');
    await tx(db, 'reader', () => db.rows(`select public.edit_message($1, 'hello, edited')`, [m]));
    const r2 = await changed(db, 'client', r1.cursor);
    eq([idsOf(r2), r2.messages[0]?.body], [[m], 'hello, edited'], 'the edit');
    await tx(db, 'monitor', () => db.rows(`select public.flag_message($1, 'check this')`, [m]));
    eq(idsOf(await changed(db, 'client', r2.cursor)), [], 'a flag is staff business');
    await tx(db, 'monitor', () => db.rows(`select public.unflag_message($1)`, [m]));
    eq(idsOf(await changed(db, 'monitor', r2.cursor)), [], 'for staff too (they read flags with message_flags)');
  });

  await check('visibility is RLS: other people\'s sessions never; a pending note only for its sender and staff, for the client once approved', async () => {
    const client0 = await changed(db, 'client', null);
    const reader0 = await changed(db, 'reader', null);
    const staff0 = await changed(db, 'monitor', null);
    const elsewhere = await sendText(db, 'otherClient', Y, 'not yours');
    const note = randomUUID();
    const path = `${X}/${note}/n.webm`;
    await tx(db, 'reader', async () => {
      await db.query(`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values ('chat-files', $1, auth.uid(), auth.uid()::text, '{"size": 10, "mimetype": "audio/webm"}')`, [path]);
      await db.rows(SEND_SQL, sendParams({ session: X, type: 'audio', cmid: note, path, mime: 'audio/webm', size: 10, duration: 500 }));
    });
    const client1 = await changed(db, 'client', client0.cursor);
    eq(idsOf(client1), [], 'the client: neither the other session nor the pending note');
    eq(idsOf(await changed(db, 'reader', reader0.cursor)), [note], 'the sender: its pending note');
    const staff1 = await changed(db, 'monitor', staff0.cursor);
    eq(idsOf(staff1), [elsewhere, note], 'staff: everything, in transaction order');
    await tx(db, 'monitor', () => db.rows(`select public.review_audio($1, 'approve', 'internal')`, [note]));
    const client2 = await changed(db, 'client', client1.cursor);
    eq([idsOf(client2), client2.messages[0]?.status, client2.messages[0]?.reviewed_by, client2.messages[0]?.review_reason], [[note], 'approved', null, null],
      'the client gets it once approved, without the review internals');
    eq(idsOf(await changed(db, 'otherClient', client0.cursor)), [elsewhere], 'the other client: its own session only');
  });

  await check('pages: at most p_limit messages in transaction order, complete=false until the last page; together every change once', async () => {
    const c0 = await changed(db, 'client', null);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push(await sendText(db, i % 2 ? 'client' : 'reader', X, `page ${i}`));
    const pages: Changes[] = [];
    let cursor = c0.cursor;
    for (let i = 0; i < 5; i++) {
      const p = await changed(db, 'client', cursor, 2);
      pages.push(p);
      cursor = p.cursor;
      if (p.complete) break;
    }
    eq(pages.map((p) => [p.messages.length, p.complete]), [[2, false], [2, false], [1, true]], 'page sizes and completion');
    eq(pages.flatMap(idsOf), sent, 'every change once, in order');
    eq(idsOf(await changed(db, 'client', cursor, 2)), [], 'then nothing');
    const exact = await changed(db, 'client', c0.cursor, 5);
    eq([exact.messages.length, exact.complete], [5, true], 'a page exactly full is complete');
  });

  await check('refusals: malformed cursors and cursors from another database (chat.invalid_cursor), bad limits (request.invalid_argument), anon', async () => {
    const sql = `select public.messages_changed_since($1, $2)`;
    for (const bad of ['', 'garbage', '1|x|y|z', '2|1:1:||', '1|1:1:|', '1|5:3:||', '1|1:1:|5|', '1|1:1:||' + randomUUID(), '1|1:2:9,3||', `1|1:${'9'.repeat(21)}:||`]) {
      await failsWith(db, 'client', sql, [bad, 10], 'SA419', 'chat.invalid_cursor');
    }
    const now = (await changed(db, 'client', null)).cursor;
    const future = now.replace(/^1\|(\d+):(\d+):/, (_m, _x, xmax: string) => `1|${BigInt(xmax) + 1000n}:${BigInt(xmax) + 1000n}:`);
    await failsWith(db, 'client', sql, [future, 10], 'SA419', 'chat.invalid_cursor');
    await failsWith(db, 'client', sql, [now, 0], 'SA400', 'request.invalid_argument');
    await failsWith(db, 'client', sql, [now, 1001], 'SA400', 'request.invalid_argument');
    try {
      await tx(db, 'anon', () => db.rows(sql, [now, 10]));
      throw new Error('anon was answered');
    } catch (e) {
      if ((e as { code?: string }).code !== '42501') throw e;
    }
  });

  if (db.connect) {
    const late = await db.connect();
    try {
      await check('a transaction that commits after a later one is returned by the next answer (a clock cursor would skip it)', async () => {
        const c0 = await changed(db, 'client', null);
        // The reader's send is written first but commits last.
        await late.exec('begin');
        await actAs(late, 'reader');
        const slow = String((await late.rows(SEND_SQL, sendParams({ session: X, type: 'text', body: 'written first, committed last' })))[0]!.id);
        // In another session: the slow transaction holds X's row (last_message_at) and quota counter.
        const fast = await sendText(db, 'client', ID.s1, 'written second, committed first');
        const r1 = await changed(db, 'client', c0.cursor);
        eq(idsOf(r1), [fast], 'while the first is in flight: only the committed one');
        await late.exec('commit');
        const r2 = await changed(db, 'client', r1.cursor);
        eq(idsOf(r2), [slow], 'after its commit: the late one, and not the other again');
        const at = await tx(db, 'postgres', () => db.rows<{ earlier: boolean }>(
          `select (select created_at from public.chat_messages where id = $1) < (select created_at from public.chat_messages where id = $2) as earlier`, [slow, fast]));
        eq(at[0], { earlier: true }, 'the late one carries the earlier created_at: a "created after" cursor would have skipped it');
      });

      await check('a late commit behind the position of an unfinished page is still returned', async () => {
        const c0 = await changed(db, 'client', null);
        await late.exec('begin');
        await actAs(late, 'reader');
        const slow = String((await late.rows(SEND_SQL, sendParams({ session: X, type: 'text', body: 'slow' })))[0]!.id);
        const quick: string[] = [];
        for (let i = 0; i < 3; i++) quick.push(await sendText(db, 'client', ID.s1, `quick ${i}`));
        const p1 = await changed(db, 'client', c0.cursor, 2);
        eq([idsOf(p1), p1.complete], [quick.slice(0, 2), false], 'first page while the slow one is in flight');
        await late.exec('commit');
        const p2 = await changed(db, 'client', p1.cursor, 2);
        eq([idsOf(p2), p2.complete], [[slow, quick[2]], true], 'the slow one (behind the position) and the rest');
        eq(idsOf(await changed(db, 'client', p2.cursor, 2)), [], 'then nothing');
      });

      await check('a cursor taken while a transaction is open and rolled back later loses nothing and shows nothing of it', async () => {
        const c0 = await changed(db, 'client', null);
        await late.exec('begin');
        await actAs(late, 'reader');
        await late.rows(SEND_SQL, sendParams({ session: X, type: 'text', body: 'never' }));
        const kept = await sendText(db, 'client', ID.s1, 'kept');
        const r1 = await changed(db, 'client', c0.cursor);
        await late.exec('rollback');
        const r2 = await changed(db, 'client', r1.cursor);
        eq([idsOf(r1), idsOf(r2)], [[kept], []], 'only the committed one');
      });
    } finally {
      await late.exec('rollback').catch(() => undefined);
      await late.close();
    }
  }
  return results;
}
