// Races between real connections (PostgreSQL only; PGlite has a single connection): the first
// decision wins and the second caller gets the specific error, never a silent overwrite.
import { randomUUID } from 'node:crypto';
import { ID, actAs, type Who } from './fixtures';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import { SEND_SQL, sendParams } from './workflows';

type Err = { code?: string; message?: string };

async function autocommitAs<R = Record<string, unknown>>(db: Engine, who: Who, sql: string, params?: unknown[]): Promise<R[]> {
  await db.exec('begin');
  try {
    await actAs(db, who);
    const rows = await db.rows<R>(sql, params);
    await db.exec('commit');
    return rows;
  } catch (e) {
    await db.exec('rollback');
    throw e;
  }
}

/** a runs and keeps its transaction open; b starts (and must wait or skip); then a commits. */
async function race(
  a: Engine, whoA: Who, sqlA: string, paramsA: unknown[],
  b: Engine, whoB: Who, sqlB: string, paramsB: unknown[],
): Promise<{ a: Record<string, unknown>[]; b: Record<string, unknown>[] | Err }> {
  await a.exec('begin');
  await actAs(a, whoA);
  const ra = await a.rows(sqlA, paramsA);
  await b.exec('begin');
  await actAs(b, whoB);
  const pb = b.rows(sqlB, paramsB).then(
    (rows) => rows,
    (e: Err) => e,
  );
  await new Promise((r) => setTimeout(r, 150));
  await a.exec('commit');
  const rb = await pb;
  await b.exec(Array.isArray(rb) ? 'commit' : 'rollback');
  return { a: ra, b: rb };
}

export async function runConcurrency(db: Engine): Promise<CaseResult[]> {
  if (!db.connect) return [];
  const a = await db.connect();
  const b = await db.connect();
  const results: CaseResult[] = [];
  const check = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
      results.push({ name: `race ${name}`, ok: true });
    } catch (error) {
      results.push({ name: `race ${name}`, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };
  const expectErr = (r: unknown, code: string) => {
    if (Array.isArray(r)) throw new Error(`second caller succeeded, expected ${code}`);
    if ((r as Err).code !== code) throw new Error(`expected ${code}, got ${(r as Err).code} ${(r as Err).message}`);
  };

  try {
    await check('two reviewers decide the same voice note at once: one wins, the other gets SA443', async () => {
      const id = randomUUID();
      const p = `${ID.s1}/${id}/r.webm`;
      await autocommitAs(a, 'reader', `insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values ('chat-files', $1, auth.uid(), auth.uid()::text, '{"size": 10, "mimetype": "audio/webm"}')`, [p]);
      await autocommitAs(a, 'reader', SEND_SQL, sendParams({ session: ID.s1, type: 'audio', cmid: id, path: p, mime: 'audio/webm', size: 10, duration: 100 }));
      const r = await race(a, 'monitor', `select * from public.review_audio($1, 'approve')`, [id], b, 'admin', `select * from public.review_audio($1, 'reject', 'no')`, [id]);
      if (r.a[0]?.status !== 'approved') throw new Error('first reviewer did not win');
      expectErr(r.b, 'SA443');
      const final = await a.rows<{ status: string; reviewed_by: string }>(`select status, reviewed_by from public.chat_messages where id = $1`, [id]);
      if (final[0]?.status !== 'approved' || final[0]?.reviewed_by !== ID.monitor) throw new Error('the decision was overwritten');
    });

    await check('two readers accept the same emergency at once: one wins, the other gets SA453', async () => {
      await autocommitAs(a, 'postgres' as Who, `update public.profiles set emergency_opt_in = true where id = $1`, [ID.otherReader]);
      const call = (await autocommitAs(a, 'otherClient', `select * from public.request_emergency()`))[0]!;
      const r = await race(a, 'reader', `select * from public.accept_emergency($1)`, [call.id], b, 'otherReader', `select * from public.accept_emergency($1)`, [call.id]);
      if (r.a[0]?.accepted_by !== ID.reader) throw new Error('first reader did not win');
      expectErr(r.b, 'SA453');
    });

    await check('advance_emergencies from two consoles at once escalates each due call exactly once', async () => {
      await autocommitAs(a, 'postgres' as Who, `update public.emergency_calls set escalate_at = now() - interval '1 second' where state = 'ringing'`);
      const due = Number((await a.rows<{ n: number }>(`select count(*)::int as n from public.emergency_calls where state in ('ringing', 'escalated') and escalate_at <= now()`))[0]!.n);
      if (due < 1) throw new Error('nothing due');
      const r = await race(a, 'monitor', `select public.advance_emergencies() as n`, [], b, 'admin', `select public.advance_emergencies() as n`, []);
      if (!Array.isArray(r.b)) throw new Error(`second caller failed: ${r.b.message}`);
      const total = Number(r.a[0]!.n) + Number(r.b[0]!.n);
      if (total !== due) throw new Error(`escalated ${total} times for ${due} due calls`);
      const events = Number((await a.rows<{ n: number }>(`select count(*)::int as n from public.emergency_events where kind = 'escalated'`))[0]!.n);
      if (events !== due) throw new Error(`${events} escalation events for ${due} calls`);
    });

    await check('the same send retried on two connections at once stores one message', async () => {
      const cmid = randomUUID();
      const params = sendParams({ session: ID.s1, type: 'text', cmid, body: 'once' });
      const r = await race(a, 'client', SEND_SQL, params, b, 'client', SEND_SQL, params);
      if (!Array.isArray(r.b)) throw new Error(`retry failed: ${r.b.message}`);
      if (r.a[0]!.id !== r.b[0]!.id) throw new Error('two different rows');
      const n = Number((await a.rows<{ n: number }>(`select count(*)::int as n from public.chat_messages where client_message_id = $1`, [cmid]))[0]!.n);
      if (n !== 1) throw new Error(`${n} rows`);
    });

    await check('a double emergency request at once opens one call', async () => {
      await autocommitAs(a, 'postgres' as Who, `update public.emergency_calls set state = 'cancelled', escalate_at = null where client_id = $1`, [ID.client]);
      const r = await race(a, 'client', `select * from public.request_emergency()`, [], b, 'client', `select * from public.request_emergency()`, []);
      if (!Array.isArray(r.b)) throw new Error(`second request failed: ${r.b.message}`);
      if (r.a[0]!.id !== r.b[0]!.id || r.a[0]!.id === ID.call) throw new Error('two calls, or not a new one');
    });
    await check('rate limits hold under concurrency: 8 connections take a limit of 3 at once, exactly 3 pass (typing, read marks)', async () => {
      const pool = await Promise.all(Array.from({ length: 8 }, () => db.connect!()));
      try {
        for (const [key, sql, code] of [
          ['console.rate_limit.typing_per_minute', `select public.broadcast_typing($1)`, 'SA449'],
          ['console.rate_limit.read_marks_per_minute', `select public.mark_read($1)`, 'SA408'],
        ] as const) {
          await autocommitAs(a, 'superAdmin', `update public.app_settings set value = '3' where key = $1`, [key]);
          try {
            const outcomes = await Promise.all(pool.map((conn) =>
              autocommitAs(conn, 'reader', sql, [ID.s1]).then(() => 'ok', (e: Err) => e.code ?? '?')));
            const ok = outcomes.filter((o) => o === 'ok').length;
            if (ok !== 3 || outcomes.some((o) => o !== 'ok' && o !== code)) throw new Error(`${key}: ${outcomes.join(', ')}`);
          } finally {
            await autocommitAs(a, 'postgres' as Who, `update public.app_settings set value = (select d.default_value from private.setting_definitions d where d.key = $1) where key = $1`, [key]);
            await autocommitAs(a, 'postgres' as Who, `delete from private.rate_limit_actions where subject = $1`, [ID.reader]);
            await autocommitAs(a, 'postgres' as Who, `delete from private.rate_limit_counters where subject = $1`, [ID.reader]);
          }
        }
      } finally {
        await Promise.all(pool.map((conn) => conn.close()));
      }
    });
    await check('the session quota holds under concurrency: 8 sends by two people into one session at once, a quota of 3 then raised to 5, exactly 3 then 2 more pass', async () => {
      const pool = await Promise.all(Array.from({ length: 8 }, () => db.connect!()));
      const clean = async () => {
        await autocommitAs(a, 'postgres' as Who, `delete from private.rate_limit_actions where subject = any($1::uuid[])`, [[ID.s1, ID.client, ID.reader]]);
        await autocommitAs(a, 'postgres' as Who, `delete from private.rate_limit_counters where subject = any($1::uuid[])`, [[ID.s1, ID.client, ID.reader]]);
      };
      const key = 'console.quota.session_messages_per_day';
      try {
        await clean();
        for (const [quota, expected] of [['3', 3], ['5', 2]] as const) {
          await autocommitAs(a, 'superAdmin', `insert into public.app_settings (key, value) values ($1, $2)
            on conflict (key) where key like 'console.%' do update set value = excluded.value`, [key, quota]);
          const outcomes = await Promise.all(pool.map((conn, i) =>
            autocommitAs(conn, i % 2 ? 'reader' : 'client', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: `quota race ${quota}.${i}` }))
              .then(() => 'ok', (e: Err) => e.code ?? '?')));
          const ok = outcomes.filter((o) => o === 'ok').length;
          if (ok !== expected || outcomes.some((o) => o !== 'ok' && o !== 'SA433')) throw new Error(`quota ${quota}: ${outcomes.join(', ')}`);
        }
      } finally {
        await autocommitAs(a, 'postgres' as Who, `update public.app_settings set value = (select d.default_value from private.setting_definitions d where d.key = $1) where key = $1`, [key]);
        await clean();
        await Promise.all(pool.map((conn) => conn.close()));
      }
    });
  } finally {
    await a.close();
    await b.close();
  }
  return results;
}
