import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import { createConsoleCore, type ConsoleCore } from '../../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';
import type { EventName, EventPayload } from '../../../src/shared/ipc/contract';
import { sample } from '../../support/media-samples';

// The review queue through the core, as the renderer calls it: real cores on one real embedded backend
// (PGlite with the migrations, supabase-js, the local Realtime server), headless alert platforms recording
// what the tray would show.
let backend: EmbeddedSupabase;
let dataDir: string;
const password = 'correct horse battery';

type Console = { core: ConsoleCore; events: { name: string; payload: unknown }[]; alerts: HeadlessAlertPlatform };
function console_(): Console {
  const events: { name: string; payload: unknown }[] = [];
  let alerts!: HeadlessAlertPlatform;
  const core = createConsoleCore({
    shell: 'webshell',
    appName: 'test',
    version: 'test',
    backend,
    dataDir,
    createAlertPlatform: (emitToRenderer) => (alerts = new HeadlessAlertPlatform({ emitToRenderer })),
    openExternal: async () => false,
    log: () => {},
  });
  core.events.attach((name, payload) => events.push({ name, payload }));
  return { core, events, alerts };
}

/** Signs in and waits for the realtime channels (staff:approvals among them) to be joined. */
async function signIn(c: Console, email: string) {
  await call(c.core, 'auth.signIn', { email, password });
  await waitFor(c.events, 'connection.changed', (p) => p.realtime === 'joined');
}

async function call<T = unknown>(core: ConsoleCore, name: string, input: unknown): Promise<T> {
  const result = await core.dispatch(name, input, { origin: 'test' });
  if (!result.ok) throw Object.assign(new Error(result.error.code), result.error);
  return result.value as T;
}

async function refusal(core: ConsoleCore, name: string, input: unknown) {
  const result = await core.dispatch(name, input, { origin: 'test' });
  if (result.ok) throw new Error(`${name} succeeded`);
  return result.error;
}

async function waitFor<K extends EventName>(events: { name: string; payload: unknown }[], name: K, match: (payload: EventPayload<K>) => boolean): Promise<EventPayload<K>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = events.find((e) => e.name === name && match(e.payload as EventPayload<K>));
    if (found) return found.payload as EventPayload<K>;
    if (Date.now() > deadline) throw new Error(`no ${name} event matched`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function until(check: () => boolean) {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let admin: Console;
let reader: Console;
let sessionId: string;

async function voiceNote(): Promise<string> {
  const entry = await call<{ clientMessageId: string }>(reader.core, 'messages.sendFile', {
    sessionId,
    kind: 'audio',
    fileName: 'note.webm',
    mimeType: 'audio/webm',
    bytesBase64: Buffer.from(sample('voice.webm')).toString('base64'),
    durationMs: 1500,
    waveform: [0.1, 0.8, 0.3],
  });
  const sent = await waitFor(reader.events, 'outbox.changed', (p) => p.clientMessageId === entry.clientMessageId && p.state === 'sent');
  return sent.entry!.serverMessageId!;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-review-queue-'));
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
  admin = console_();
  await call(admin.core, 'auth.createFirstAccount', { email: 'owner@samia.test', password, displayName: 'Owner', preferredLanguage: 'en' });
  const readerId = (await call<{ id: string }>(admin.core, 'accounts.create', { email: 'layla@samia.test', password, displayName: 'Layla', role: 'reader', preferredLanguage: 'ar' })).id;
  await call(admin.core, 'accounts.create', { email: 'omar@samia.test', password, displayName: 'Omar', role: 'client' });
  await call(admin.core, 'accounts.create', { email: 'mona@samia.test', password, displayName: 'Mona', role: 'monitor' });
  await call(admin.core, 'accounts.create', { email: 'sami@samia.test', password, displayName: 'Sami', role: 'monitor' });
  const client = console_();
  await call(client.core, 'auth.signIn', { email: 'omar@samia.test', password });
  sessionId = (await call<{ id: string }>(client.core, 'sessions.openSupport', {})).id;
  await call(admin.core, 'sessions.assignReader', { sessionId, readerId });
  await client.core.dispose();
  reader = console_();
  await call(reader.core, 'auth.signIn', { email: 'layla@samia.test', password });
}, 120_000);

afterAll(async () => {
  await reader?.core.dispose();
  await admin?.core.dispose();
  await backend.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the review queue through the core', () => {
  it('shows a claim to the other monitor live, refuses their decision naming the claimer, and releases it on sign-out', async () => {
    const note = await voiceNote();
    const mona = console_();
    await signIn(mona, 'mona@samia.test');
    const sami = console_();
    await signIn(sami, 'sami@samia.test');
    // The count reaches the tray as a translated line.
    await until(() => mona.alerts.pendingReviewsState().count >= 1);
    expect(mona.alerts.pendingReviewsState().text).toMatch(/^\d+ voice notes? waiting for review$/);

    const claim = await call<{ messageId: string; claimedByName: string; expiresAt: string }>(mona.core, 'reviews.claim', { messageId: note });
    expect([claim.messageId, claim.claimedByName]).toEqual([note, 'Mona']);
    const seen = await waitFor(sami.events, 'reviews.claimChanged', (p) => p.messageId === note && p.claim !== null);
    expect(seen.claim).toMatchObject({ claimedByName: 'Mona', expiresAt: claim.expiresAt });
    expect((await call<{ claims: { messageId: string }[] }>(sami.core, 'reviews.claims', {})).claims.map((c) => c.messageId)).toContain(note);

    const refused = await refusal(sami.core, 'reviews.decide', { messageId: note, decision: 'approve' });
    expect(refused).toMatchObject({ code: 'SA510', messageKey: 'review.claimed', params: { claimed_by_name: 'Mona' } });
    expect(Date.parse(String(refused.params?.expires_at))).toBe(Date.parse(claim.expiresAt));

    // Mona signs out: her claim ends at once, and Sami hears of it.
    await call(mona.core, 'auth.signOut', {});
    await waitFor(sami.events, 'reviews.claimChanged', (p) => p.messageId === note && p.claim === null);
    const decided = await call<{ via: string; message: { status: string } }>(sami.core, 'reviews.decide', { messageId: note, decision: 'approve' });
    expect(decided.message.status).toBe('approved');
    await sami.core.dispose();
    await mona.core.dispose();
  });

  it('approves in bulk with a report per note, rejects with a listed reason in the sender’s language, and readers have no queue', async () => {
    const [a, b, c] = [await voiceNote(), await voiceNote(), await voiceNote()];
    const sami = console_();
    await signIn(sami, 'sami@samia.test');
    await call(admin.core, 'reviews.decide', { messageId: b, decision: 'reject', reason: 'first' });
    const mona = console_();
    await signIn(mona, 'mona@samia.test');
    await call(mona.core, 'reviews.claim', { messageId: c });

    const { results } = await call<{ results: { messageId: string; outcome: string; reviewedByName: string | null; claimedByName: string | null }[] }>(
      sami.core, 'reviews.bulkApprove', { messageIds: [a, b, c] });
    expect(results.map((r) => [r.messageId, r.outcome])).toEqual([[a, 'approved'], [b, 'already_decided'], [c, 'claimed']]);
    expect(results[1]!.reviewedByName).toBe('Owner');
    expect(results[2]!.claimedByName).toBe('Mona');

    const reason = await call<{ id: string; labelEn: string; labelAr: string; active: boolean }>(admin.core, 'reviews.saveReason', { labelEn: 'Audio unclear', labelAr: 'الصوت غير واضح' });
    expect(reason).toMatchObject({ labelEn: 'Audio unclear', labelAr: 'الصوت غير واضح', active: true });
    expect(await refusal(mona.core, 'reviews.saveReason', { labelEn: 'x', labelAr: 'y' })).toMatchObject({ code: 'SA511', messageKey: 'review.reasons_forbidden' });
    expect((await call<{ reasons: { id: string }[] }>(mona.core, 'reviews.reasons', {})).reasons.map((r) => r.id)).toEqual([reason.id]);

    const rejected = await call<{ message: { status: string; reviewReason: string } }>(mona.core, 'reviews.reject', { messageId: c, reasonId: reason.id, note: 'أقرب إلى الميكروفون' });
    expect(rejected.message).toMatchObject({ status: 'rejected', reviewReason: 'الصوت غير واضح — أقرب إلى الميكروفون' });
    const back = await waitFor(reader.events, 'messages.changed', (p) => p.messages.some((m) => m.id === c && m.status === 'rejected'));
    expect(back.messages.find((m) => m.id === c)?.reviewReason).toBe('الصوت غير واضح — أقرب إلى الميكروفون');

    // Nothing left: the count reaches zero in the tray.
    await until(() => sami.alerts.pendingReviewsState().count === 0);
    expect(sami.alerts.pendingReviewsState().text).toBe('');
    expect(await refusal(reader.core, 'reviews.claim', { messageId: a })).toMatchObject({ code: 'SA440', messageKey: 'review.forbidden' });
    await sami.core.dispose();
    await mona.core.dispose();
  });
});
