import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';
import { createConsoleCore } from '../../../src/main/core/console-core';
import { startWebShell, type WebShell } from '../../../src/main/webshell/webshell-server';
import { sampleOfSize } from '../../support/media-samples';

// Media reach the renderer from the main process's cache with range requests, per page and per user.
const password = 'correct horse battery';
let backend: EmbeddedSupabase;
let shell: WebShell;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'samia-media-'));
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
  const owner = await backend.createFirstAccount({ email: 'owner@samia.test', password, displayName: 'Owner' });
  await owner.createAccount({ email: 'omar@samia.test', password, displayName: 'Omar', role: 'client' });
  await owner.createAccount({ email: 'huda@samia.test', password, displayName: 'Huda', role: 'client' });
  shell = await startWebShell({
    rendererDir: dir,
    createCore: (_page, mediaBaseUrl) =>
      createConsoleCore({
        shell: 'webshell',
        appName: 'test',
        version: 'test',
        backend,
        dataDir: dir,
        mediaBaseUrl,
        createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
        openExternal: async () => false,
        log: () => {},
      }),
  });
}, 120_000);

afterAll(async () => {
  await shell?.close();
  await backend?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function page(email: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/bridge?token=${shell.token}`, { origin: shell.url });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const call = <T>(name: string, input: unknown) =>
    new Promise<T>((resolve, reject) => {
      const my = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const frame = JSON.parse(String(data)) as { kind: string; id: number; result: { ok: boolean; value: T; error: unknown } };
        if (frame.kind !== 'response' || frame.id !== my) return;
        ws.off('message', onMessage);
        if (frame.result.ok) resolve(frame.result.value);
        else reject(Object.assign(new Error('refused'), frame.result.error));
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ kind: 'request', id: my, name, input }));
    });
  await call('auth.signIn', { email, password });
  return { call, close: () => ws.close() };
}

describe('the web shell media route', () => {
  it('serves the signed-in user files with ranges, and nobody else', async () => {
    const omar = await page('omar@samia.test');
    const { id: sessionId } = await omar.call<{ id: string }>('sessions.openSupport', {});
    // A real WebM's header, then distinct bytes: the outbox checks the content against the declared type.
    const bytes = Buffer.from(sampleOfSize('voice.webm', 1000).map((b, i) => (i < 64 ? b : i % 251)));
    const entry = await omar.call<{ clientMessageId: string }>('messages.sendFile', {
      sessionId,
      kind: 'audio',
      fileName: 'note.webm',
      mimeType: 'audio/webm',
      bytesBase64: bytes.toString('base64'),
      durationMs: 1000,
      waveform: [0.2, 0.4],
    });
    const storagePath = `${sessionId}/${entry.clientMessageId}/note.webm`;
    await expect
      .poll(async () => (await omar.call<{ pending: unknown[] }>('messages.page', { sessionId })).pending.length, { timeout: 10_000 })
      .toBe(0);

    const { url } = await omar.call<{ url: string }>('media.url', { storagePath });
    expect(url.startsWith(`${shell.url}/media/`)).toBe(true);
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/webm');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);
    const part = await fetch(url, { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    expect((await fetch(url, { headers: { Range: 'bytes=5000-' } })).status).toBe(416);

    // Another user's page has its own key: it cannot reach Omar's file through it.
    const huda = await page('huda@samia.test');
    const { url: hudaUrl } = await huda.call<{ url: string }>('media.url', { storagePath });
    expect((await fetch(hudaUrl)).status).toBe(404);
    expect((await fetch(url.replace(/\/media\/[^/]+\//, '/media/not-a-key/'))).status).toBe(404);
    omar.close();
    huda.close();
  });
});
