import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import { createConsoleCore } from '../../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';
import { startWebShell, type WebShell } from '../../../src/main/webshell/webshell-server';
import type { UserConnection } from '../../../src/main/backend/backend-port';

// The client simulator as a user runs it: a separate process talking to a console's web shell.
const run = promisify(execFile);
const password = 'correct horse battery';
let backend: EmbeddedSupabase;
let shell: WebShell;
let dir: string;
let monitor: UserConnection;

const simulate = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'tools/simulate/simulate.ts', '--webshell', shell.pageUrl, '--email', 'omar@samia.test', '--password', password, ...args], {
    timeout: 60_000,
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'samia-sim-'));
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
  const owner = await backend.createFirstAccount({ email: 'owner@samia.test', password, displayName: 'Owner' });
  await owner.createAccount({ email: 'omar@samia.test', password, displayName: 'Omar', role: 'client' });
  await owner.createAccount({ email: 'mona@samia.test', password, displayName: 'Mona', role: 'monitor' });
  monitor = await backend.signIn('mona@samia.test', password);
  shell = await startWebShell({
    rendererDir: dir,
    createCore: () =>
      createConsoleCore({
        shell: 'webshell',
        appName: 'test',
        version: 'test',
        backend,
        dataDir: dir,
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

/** A mono 16-bit WAV of a 440 Hz tone at half scale. */
function sineWav(seconds: number, rate: number): Buffer {
  const frames = seconds * rate;
  const data = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 16384), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

describe('npm run simulate', () => {
  it('writes as the client into its support session', async () => {
    const { stdout: sessionId } = await simulate('session');
    await simulate('text', 'Hello', 'from', 'the', 'simulator');
    await monitor.joinSession(sessionId.trim());
    const messages = await monitor.listMessages(sessionId.trim());
    expect(messages.map((m) => m.body)).toContain('Hello from the simulator');
  });

  it('sends a voice note and raises an emergency', async () => {
    const file = path.join(dir, 'note.wav');
    await writeFile(file, sineWav(2, 16_000));
    const { stdout: sessionId } = await simulate('session');
    await simulate('voice', file);
    const messages = await monitor.listMessages(sessionId.trim());
    const note = messages.find((m) => m.type === 'audio');
    expect(note?.durationMs).toBe(2000);
    expect(note?.waveform?.length).toBe(100);
    expect(Math.max(...note!.waveform!)).toBeGreaterThan(0.4);
    await writeFile(path.join(dir, 'x.webm'), Buffer.from([26, 69, 223, 163]));
    await expect(simulate('voice', path.join(dir, 'x.webm'), '--duration-ms', '1000')).rejects.toMatchObject({ stderr: expect.stringContaining('--peaks') });
    const { stdout: callId } = await simulate('emergency');
    expect((await monitor.listEmergencies()).map((e) => e.id)).toContain(callId.trim());
  });

  it('says clearly what is wrong with a bad call', async () => {
    await expect(simulate('voice', path.join(dir, 'missing.exe'))).rejects.toMatchObject({ stderr: expect.stringContaining('unsupported audio file type') });
    await expect(
      run(process.execPath, ['--import', 'tsx', 'tools/simulate/simulate.ts', '--webshell', shell.pageUrl, '--email', 'omar@samia.test', '--password', 'nope', 'text', 'x']),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('auth.invalid_credentials') });
  });
});
