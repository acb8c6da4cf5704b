import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import { PgliteDatabase } from '../../../src/main/backend/local-supabase/platform-database';
import { applySchema } from '../../../src/main/schema/index';
import type { EmergencyRow, MessageRow, SessionRow, UserConnection } from '../../../src/main/backend/backend-port';

// The client simulator as a user runs it: a separate process (tsx) talking to a local Supabase with the stock
// supabase-js, through the console's one adapter, given the URL and anon key the console prints at start.
const password = 'correct horse battery';
let database: PgliteDatabase;
let backend: EmbeddedSupabase;
let dir: string;
let monitor: UserConnection;
let reader: UserConnection;
let readerId: string;
let clientId: string;
let bookingId: string;

/** What `--json` prints. */
interface Report {
  command: string;
  user: { id: string; displayName: string; role: string };
  session: Pick<SessionRow, 'id' | 'type' | 'status' | 'bookingId'> & { participants: Pick<SessionRow['participants'][number], 'userId' | 'displayName' | 'role' | 'roleInSession'>[] };
  message: MessageRow;
  emergency: EmergencyRow;
  next: string[];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<Run>((resolve) => {
    const { SUPABASE_URL: _u, SUPABASE_ANON_KEY: _k, ...inherited } = process.env;
    execFile(process.execPath, ['--import', 'tsx', 'tools/simulate/simulate.ts', ...args], { timeout: 60_000, env: { ...inherited, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });

const connection = (email = 'omar@samia.test', pass = password) => ['--url', backend.api!.url, '--anon-key', backend.api!.anonKey, '--email', email, '--password', pass];
const simulate = async (...args: string[]) => {
  const result = await runCli([...connection(), ...args]);
  if (result.code !== 0) throw new Error(`simulate ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
};
const simulateJson = async (...args: string[]) => JSON.parse((await simulate('--json', ...args)).stdout) as Report;

/** A refusal as the house rules want it: exit code 2 and exactly one line on stderr, no stack trace. */
function expectOneLineError(result: Run, text: string | RegExp) {
  expect(result.code).toBe(2);
  const stderr = result.stderr.trim();
  expect(stderr.split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |Error:/);
  expect(stderr).toMatch(text);
}

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

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'samia-sim-'));
  database = await PgliteDatabase.open(null);
  await applySchema({ exec: (sql) => database.db.exec(sql), query: (sql, params) => database.db.query(sql, params) }, { target: 'compat' });
  // The platform's bookings table, which a fresh embedded database does not have: only the columns
  // open_booking_session reads, as the platform names them.
  await database.db.exec('create table public.bookings (id uuid primary key, client_id uuid, reader_id uuid)');
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0, database });
  await backend.start();
  const owner = await backend.createFirstAccount({ email: 'owner@samia.test', password, displayName: 'Owner' });
  clientId = (await owner.createAccount({ email: 'omar@samia.test', password, displayName: 'Omar', role: 'client' })).id;
  await owner.createAccount({ email: 'mona@samia.test', password, displayName: 'Mona', role: 'monitor' });
  readerId = (await owner.createAccount({ email: 'rania@samia.test', password, displayName: 'Rania', role: 'reader' })).id;
  monitor = await backend.signIn('mona@samia.test', password);
  reader = await backend.signIn('rania@samia.test', password);
  bookingId = randomUUID();
  await database.db.query('insert into public.bookings (id, client_id, reader_id) values ($1, $2, $3)', [bookingId, clientId, readerId]);
}, 120_000);

afterAll(async () => {
  await backend?.stop();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run simulate', () => {
  it('explains itself with --help, -h and no arguments, and exits 0', async () => {
    for (const args of [['--help'], ['-h'], []]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      for (const word of ['session', 'text <body', 'voice <file>', 'emergency', 'wait-for <text>', '--url', '--anon-key', '--email', '--password', '--session-id', '--booking', '--duration-ms', '--peaks', '--timeout', '--json', '--help', 'SUPABASE_URL', 'SUPABASE_ANON_KEY', 'Assign reader']) {
        expect(result.stdout).toContain(word);
      }
    }
  });

  it('writes into the client support session, says a reader must be assigned, and the reader reads it once assigned', async () => {
    const result = await simulate('text', 'Hello', 'from', 'the', 'simulator');
    const sessionId = /Session ([0-9a-f-]{36}): support/.exec(result.stdout)?.[1];
    expect(sessionId).toBeDefined();
    expect(result.stdout).toContain('Signed in as Omar (client)');
    expect(result.stdout).toMatch(/Sent text \(24 characters, 24 B\) in \d+ ms: message [0-9a-f-]{36}, sent\./);
    expect(result.stdout).toContain('No reader is in this session yet');
    expect(result.stdout).toContain('"Assign reader" in the session header');
    expect(result.stdout).toContain('--booking <id>');
    await monitor.joinSession(sessionId!);
    expect((await monitor.listMessages(sessionId!)).map((m) => m.body)).toContain('Hello from the simulator');
    await monitor.assignReader(sessionId!, readerId);
    expect((await reader.listMessages(sessionId!)).map((m) => m.body)).toContain('Hello from the simulator');
    // Same session again, now naming its reader.
    const json = await simulateJson('text', 'Still there?');
    expect(json.session).toMatchObject({ id: sessionId, type: 'support', status: 'active' });
    expect(json.session.participants).toContainEqual(expect.objectContaining({ displayName: 'Rania', roleInSession: 'reader' }));
    expect(json.message).toMatchObject({ type: 'text', body: 'Still there?', status: 'sent' });
    expect(json.next.join(' ')).toContain('Rania (reader) is in this session');
  });

  it('opens a booking session with its reader through open_booking_session', async () => {
    const result = await simulate('--booking', bookingId, 'text', 'About my booking');
    expect(result.stdout).toMatch(new RegExp(`Session [0-9a-f-]{36}: booking, booking ${bookingId}, active; participants: .*Rania \\(reader\\)`));
    expect(result.stdout).toContain('Rania (reader) is in this session');
    const session = (await reader.listSessions()).find((s) => s.bookingId === bookingId);
    expect(session?.type).toBe('booking');
    expect((await reader.listMessages(session!.id)).map((m) => m.body)).toContain('About my booking');
    // The reader answers; the client waits for it.
    await reader.sendMessage({ sessionId: session!.id, clientMessageId: randomUUID(), type: 'text', body: 'Welcome, Omar' });
    const waited = await simulate('--booking', bookingId, 'wait-for', 'Welcome');
    expect(waited.stdout).toContain('Received text (13 characters, 13 B) from Rania (reader)');
    expect(waited.stdout).toContain(': "Welcome, Omar"');
  });

  it("sends voice notes with measured peaks: a client's is delivered, a reader's is pending approval until a monitor approves it", async () => {
    const file = path.join(dir, 'note.wav');
    await writeFile(file, sineWav(2, 16_000));
    const fromClient = await simulateJson('--booking', bookingId, 'voice', file);
    expect(fromClient.message).toMatchObject({ type: 'audio', status: 'sent', durationMs: 2000, mimeType: 'audio/wav' });
    expect(fromClient.message.waveform).toHaveLength(100);
    expect(Math.max(...fromClient.message.waveform!)).toBeGreaterThan(0.4);
    const sessionId = fromClient.session.id;
    expect((await reader.listMessages(sessionId)).map((m) => m.id)).toContain(fromClient.message.id);

    const asReader = ['--url', backend.api!.url, '--anon-key', backend.api!.anonKey, '--email', 'rania@samia.test', '--password', password, '--session-id', sessionId];
    const text = await runCli([...asReader, 'voice', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Sent voice note note\.wav \(audio\/wav, 62\.5 KB, 2\.0 s, 100 peaks measured from the WAV\) in \d+ ms: message [0-9a-f-]{36}, pending approval/);
    expect(text.stdout).toContain('Omar (client) is in this session');
    expect(text.stdout).toContain('a monitor or admin approves it under Approvals');
    const json = JSON.parse((await runCli([...asReader, '--json', 'voice', file])).stdout) as Report;
    expect(json.message).toMatchObject({ type: 'audio', status: 'pending_approval', durationMs: 2000 });
    const client = await backend.signIn('omar@samia.test', password);
    try {
      expect((await client.listMessages(sessionId)).map((m) => m.id)).not.toContain(json.message.id);
      expect((await monitor.pendingAudio()).map((m) => m.id)).toContain(json.message.id);
      await monitor.reviewAudio(json.message.id, 'approve');
      expect((await client.listMessages(sessionId)).find((m) => m.id === json.message.id)?.status).toBe('approved');
    } finally {
      await client.signOut();
    }
  });

  it('raises an emergency', async () => {
    const json = await simulateJson('emergency');
    expect(json.emergency).toMatchObject({ state: 'ringing' });
    expect(json.session).toMatchObject({ id: json.emergency.sessionId, type: 'emergency' });
    expect((await monitor.listEmergencies()).map((e) => e.id)).toContain(json.emergency.id);
  });

  it('takes the connection from SUPABASE_URL and SUPABASE_ANON_KEY', async () => {
    const result = await runCli(['--email', 'omar@samia.test', '--password', password, 'session'], { SUPABASE_URL: backend.api!.url, SUPABASE_ANON_KEY: backend.api!.anonKey });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Session [0-9a-f-]{36}: support, active/);
  });

  it('says what is wrong in one line, with exit code 2', async () => {
    expectOneLineError(await runCli(connection('omar@samia.test', 'not the password').concat('text', 'x')), 'simulate: wrong email or password for omar@samia.test (auth.invalid_credentials)');
    const closed = createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)));
    await new Promise((resolve) => closed.close(resolve));
    expectOneLineError(
      await runCli(['--url', `http://127.0.0.1:${port}`, '--anon-key', backend.api!.anonKey, '--email', 'omar@samia.test', '--password', password, 'text', 'x']),
      new RegExp(`cannot reach the Supabase API at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
    const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const foreignKey = `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment({ iss: 'supabase', ref: 'local', role: 'anon' })}.${segment({ not: 'signed here' })}`;
    expectOneLineError(
      await runCli(['--url', backend.api!.url, '--anon-key', foreignKey, '--email', 'omar@samia.test', '--password', password, 'text', 'x']),
      `the server at ${backend.api!.url} refused the anon key (Invalid API key)`,
    );
    expectOneLineError(await runCli([...connection(), 'voice', path.join(dir, 'missing.wav')]), `cannot read ${path.join(dir, 'missing.wav')}: no such file`);
    expectOneLineError(await runCli([...connection(), 'voice', path.join(dir, 'note.exe')]), 'unsupported audio file type ".exe"');
    await writeFile(path.join(dir, 'x.webm'), Buffer.from([26, 69, 223, 163]));
    expectOneLineError(await runCli([...connection(), 'voice', path.join(dir, 'x.webm'), '--duration-ms', '1000']), '--peaks');
    expectOneLineError(await runCli([...connection(), '--booking', randomUUID(), 'text', 'x']), /no such booking of the caller \(SA493 booking\.not_found/);
    expectOneLineError(await runCli(['--email', 'omar@samia.test', '--password', password, 'text', 'x']), '--url (or SUPABASE_URL) and --anon-key');
    expectOneLineError(await runCli([...connection(), '--nope', 'text', 'x']), "Unknown option '--nope'");
    expectOneLineError(await runCli([...connection(), 'dance']), 'unknown command "dance"');
  });
});
