// What the adversarial cases share: the attacker's identities (every API role, each signed-in person), the
// canaries planted in the fixtures (strings a caller must never get back unless it may read them), and a
// call that reports its outcome instead of throwing.
import { randomUUID } from 'node:crypto';
import { ID, path, claimsOf, ROLES, type Who } from './fixtures';
import type { Engine } from './engines';

/** Every identity an API request can carry: anon, each signed-in person of the fixtures, the service role. */
export const ATTACKERS = [...ROLES, 'service'] as const;
export type Attacker = (typeof ATTACKERS)[number];

export const STAFF: ReadonlySet<Attacker> = new Set(['monitor', 'admin', 'superAdmin']);
export const SIGNED_IN: readonly Attacker[] = ROLES.filter((r) => r !== 'anon');

/** The database role an identity acts as. */
export const roleOf = (who: Attacker) => (who === 'anon' ? 'anon' : who === 'service' ? 'service_role' : 'authenticated');

/** Inside an open transaction: act as `who`, as PostgREST does (role + request.jwt.claims). */
export async function actAsAttacker(db: Engine, who: Attacker | 'postgres'): Promise<void> {
  await db.exec('reset role');
  if (who === 'postgres') {
    await db.query(`select set_config('request.jwt.claims', '', true)`);
    return;
  }
  const claims = who === 'service' ? JSON.stringify({ role: 'service_role' }) : claimsOf(who as Who);
  await db.query(`select set_config('request.jwt.claims', $1, true)`, [claims]);
  await db.exec(`set local role ${roleOf(who)}`);
}

/** Written into the fixtures by plantCanaries: review internals and a moderation flag nobody outside may read. */
export const CANARY = {
  reviewNote: 'CANARY-internal-review-note',
  flagReason: 'CANARY-moderation-flag',
  /** The body of an internal note the reader wrote in s1, and its id: never the client's to see. */
  internalNote: 'CANARY-internal-note-about-the-client',
  internalNoteId: '00000000-0000-4000-8000-00000000b0e1',
};

export async function plantCanaries(db: Engine): Promise<void> {
  await db.query(`update public.chat_messages set review_reason = $2 where id = $1`, [ID.approved, CANARY.reviewNote]);
  await db.query(
    `update public.chat_messages set flagged = true, flagged_reason = $2, flagged_by = $3, flagged_at = now() where id = $1`,
    [ID.text, CANARY.flagReason, ID.monitor],
  );
  await db.query(
    `insert into public.chat_messages (id, session_id, sender_id, type, body, status, client_message_id, created_at)
     values ($1, $2, $3, 'note', $4, 'sent', $1, now() - interval '1 day')`,
    [CANARY.internalNoteId, ID.s1, ID.reader, CANARY.internalNote],
  );
}

/**
 * What each identity must never receive, in any answer or error detail: the reader's pending and rejected
 * notes (and their files and review), the review internals of the approved note (who reviewed it, the
 * reviewer's note), the moderation flag, the reader's internal note about the client (its body and its id). The sender (reader) may see its own notes' review; staff see all.
 */
export function forbiddenFor(who: Attacker): string[] {
  const flag = [CANARY.flagReason];
  if (who === 'reader' || STAFF.has(who)) return who === 'reader' ? flag : [];
  return [...flag, ID.pending, ID.rejected, path.pending, path.rejected, 'off-topic', CANARY.reviewNote, ID.monitor,
          CANARY.internalNote, CANARY.internalNoteId];
}

export type Outcome = { ok: true; text: string } | { ok: false; code: string; message: string; detail: string };

let savepoints = 0;

/** Runs sql in a savepoint that is then rolled back: nothing it does remains, whatever it answers. */
export async function attempt(db: Engine, sql: string, params: unknown[] = []): Promise<Outcome> {
  const sp = `adv_${++savepoints}`;
  await db.exec(`savepoint ${sp}`);
  try {
    const rows = await db.rows(sql, params);
    return { ok: true, text: JSON.stringify(rows) };
  } catch (error) {
    const e = error as { code?: string; message?: string; detail?: string };
    return { ok: false, code: e.code ?? '?', message: e.message ?? String(error), detail: e.detail ?? '' };
  } finally {
    await db.exec(`rollback to savepoint ${sp}`);
  }
}

/** A refusal the console can show: the project's own SAnnn, or PostgreSQL's "permission denied". */
export const isClearRefusal = (o: Outcome) => !o.ok && (/^SA\d{3}$/.test(o.code) || o.code === '42501');

export const describe = (o: Outcome) => (o.ok ? `ok ${o.text.slice(0, 160)}` : `${o.code} ${o.message}`);

export const freshId = () => randomUUID();
