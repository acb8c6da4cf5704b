// The client simulator: signs in as a client and writes, sends a voice note, or raises an emergency. The
// clients' app is not part of this project; demos and end-to-end tests need a client. It goes through the
// console's one adapter (SupabaseBackend over supabase-js), against a Supabase project or a console's
// local Supabase alike. `--help` says how to use it.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MemorySecretStore } from '../../src/main/backend/secret-stores';
import { SupabaseBackend } from '../../src/main/backend/supabase-connection';
import type { EmergencyRow, MessageRow, SessionRow, UserConnection } from '../../src/main/backend/backend-port';
import { checkAnonKey, checkSupabaseUrl } from '../../src/main/core/backend-config';
import { checkReachable, describeError, UsageError } from './describe-error';
import { describeEmergency, describeMessage, describeSession, nextSteps, type SessionView } from './report';
import { wavPeaks } from './wav-peaks';

const USAGE = `Usage: npm run simulate -- [flags] <command> [arguments]

A client for demos and tests: signs in as a client (or any account) and writes to the console's readers
and staff through supabase-js, against the console's local Supabase or a Supabase project.

Commands:
  session                 open (or reuse) the client's session and describe it
  text <body…>            send a text message (the words are joined with spaces)
  voice <file>            send a voice note: .wav (16-bit PCM: duration and peaks measured from the file),
                          or .webm/.ogg/.mp3/.m4a with --duration-ms and --peaks
  emergency               raise an emergency call (opens an emergency session)
  wait-for <text>         wait until a message containing <text> arrives in the session and print it
                          ("wait-for audio" waits for a voice note)

Connection (the console prints both at start: "Local Supabase API: …" and "anon key: …"):
  --url URL               the Supabase API URL (or SUPABASE_URL)
  --anon-key KEY          the project's anon key, never the service-role key (or SUPABASE_ANON_KEY)
  --email EMAIL           the client's account
  --password PASSWORD     its password

Which session (default: the client's support session):
  --session-id ID         an existing session of the client
  --booking ID            the session of a platform booking, with its reader (open_booking_session;
                          Supabase projects with a bookings table only)

Other flags:
  --duration-ms N         voice: the duration in milliseconds (measured for WAV)
  --peaks a,b,…           voice: waveform peaks from 0 to 1 (measured for WAV)
  --timeout SECONDS       wait-for: how long to wait (default 30)
  --json                  print one JSON object instead of text
  -h, --help              this text

Where a client's message goes: into their support session, which staff (monitors and admins) see in
their session list. A reader sees it once staff assign one with "Assign reader" in the session header,
or, on a project with bookings, when the client writes with --booking <id> in the booking's session.
A reader's voice note (--email of a reader) waits for a monitor's or admin's approval (Approvals)
before the client can hear it; a client's is delivered at once.

Example, against a console started with npm start (embedded backend):
  npm run simulate -- --url http://127.0.0.1:PORT --anon-key eyJ… --email omar@example.com --password … text "Hello"

Errors are one line on stderr, with exit code 2.`;

const COMMANDS = new Set(['session', 'text', 'voice', 'emergency', 'wait-for']);
const AUDIO_TYPES: Record<string, string> = { '.webm': 'audio/webm', '.ogg': 'audio/ogg', '.mp3': 'audio/mpeg', '.m4a': 'audio/mp4', '.wav': 'audio/wav' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Exit once what was written has reached the pipe (a piped stdout may still be buffering). */
async function exit(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  process.exit(code);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        'anon-key': { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        'session-id': { type: 'string' },
        booking: { type: 'string' },
        'duration-ms': { type: 'string' },
        peaks: { type: 'string' },
        timeout: { type: 'string', default: '30' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // parseArgs explains itself in several sentences; the first one is the point.
    const message = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : String(error);
    throw new UsageError(`${message} (see --help)`);
  }
}

type Parsed = ReturnType<typeof parse>['values'];

interface VoiceFile {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
  durationMs: number;
  peaks: number[];
  measured: boolean;
}

/** Everything about the file is checked before anyone signs in. */
async function readVoiceFile(file: string | undefined, values: Parsed): Promise<VoiceFile> {
  if (!file) throw new UsageError('voice needs a file: voice <file.wav|webm|ogg|mp3|m4a>');
  const ext = path.extname(file).toLowerCase();
  const mimeType = AUDIO_TYPES[ext];
  if (!mimeType) throw new UsageError(`unsupported audio file type "${ext || path.basename(file)}": use .wav, .webm, .ogg, .mp3 or .m4a`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
  if (bytes.byteLength === 0) throw new UsageError(`${file} is empty`);
  const measured = ext === '.wav' ? wavPeaks(bytes) : null;
  if (ext === '.wav' && !measured && (!values['duration-ms'] || !values.peaks)) {
    throw new UsageError(`${file} is not a 16-bit PCM WAV: give --duration-ms and --peaks for it`);
  }
  const durationMs = values['duration-ms'] !== undefined ? Number(values['duration-ms']) : (measured?.durationMs ?? NaN);
  if (!Number.isInteger(durationMs) || durationMs <= 0) {
    throw new UsageError(values['duration-ms'] !== undefined ? `--duration-ms must be a positive whole number of milliseconds (got "${values['duration-ms']}")` : 'voice needs --duration-ms N for this file (it is measured for 16-bit WAV only)');
  }
  const peaks = values.peaks !== undefined ? values.peaks.split(',').map((p) => Number(p.trim())) : measured?.peaks;
  if (!peaks) throw new UsageError('voice needs --peaks "0.1,0.6,…" for this file (numbers from 0 to 1; measured for 16-bit WAV only)');
  if (peaks.length === 0 || peaks.some((p) => !(p >= 0 && p <= 1))) {
    throw new UsageError(`--peaks must be numbers from 0 to 1 separated by commas (got "${values.peaks}")`);
  }
  return { fileName: path.basename(file), mimeType, bytes, durationMs, peaks, measured: values.peaks === undefined && values['duration-ms'] === undefined };
}

/** The console's local Supabase signs its anon key with `ref: 'local'`; anything else is a Supabase project. */
function backendKind(anonKey: string): 'embedded' | 'supabase' {
  const payload = anonKey.split('.')[1];
  if (!payload) return 'supabase';
  try {
    return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { ref?: unknown }).ref === 'local' ? 'embedded' : 'supabase';
  } catch {
    return 'supabase';
  }
}

function connectionSettings(values: Parsed) {
  const rawUrl = values.url ?? process.env.SUPABASE_URL;
  const rawKey = values['anon-key'] ?? process.env.SUPABASE_ANON_KEY;
  if (!rawUrl || !rawKey) {
    throw new UsageError(
      `give ${!rawUrl ? '--url (or SUPABASE_URL)' : ''}${!rawUrl && !rawKey ? ' and ' : ''}${!rawKey ? '--anon-key (or SUPABASE_ANON_KEY)' : ''}: the console prints both at start ("Local Supabase API: …", "anon key: …")`,
    );
  }
  let url: string;
  let anonKey: string;
  try {
    url = checkSupabaseUrl(rawUrl);
    anonKey = checkAnonKey(rawKey);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (!values.email || !values.password) throw new UsageError(`give ${!values.email ? '--email' : ''}${!values.email && !values.password ? ' and ' : ''}${!values.password ? '--password' : ''} of the client's account`);
  return { url, anonKey, kind: backendKind(anonKey), email: values.email, password: values.password };
}

async function openSession(connection: UserConnection, values: Parsed): Promise<string> {
  if (values['session-id'] !== undefined && values.booking !== undefined) throw new UsageError('give --session-id or --booking, not both');
  if (values['session-id'] !== undefined) {
    if (!UUID.test(values['session-id'])) throw new UsageError(`--session-id must be a session id (a UUID), got "${values['session-id']}"`);
    return values['session-id'];
  }
  if (values.booking !== undefined) {
    if (!UUID.test(values.booking)) throw new UsageError(`--booking must be a booking id (a UUID), got "${values.booking}"`);
    return (await connection.openBookingSession(values.booking)).id;
  }
  return (await connection.openSupportSession()).id;
}

async function sessionView(connection: UserConnection, sessionId: string): Promise<SessionView> {
  const session: SessionRow | null = await connection.getSession(sessionId);
  if (!session) throw new UsageError(`session ${sessionId} does not exist or is not one of this client's sessions`);
  return session;
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0) {
    console.log(USAGE);
    return;
  }
  const { values, positionals } = parse(argv);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [command, ...rest] = positionals;
  if (!command) throw new UsageError('say what to do: session, text <body>, voice <file>, emergency or wait-for <text> (see --help)');
  if (!COMMANDS.has(command)) throw new UsageError(`unknown command "${command}": use session, text, voice, emergency or wait-for (see --help)`);
  const body = rest.join(' ').trim();
  if (command === 'text' && !body) throw new UsageError('text needs a body: text "Hello"');
  if (command === 'wait-for' && !body) throw new UsageError('wait-for needs the text to wait for: wait-for "Hello"');
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout must be a positive number of seconds (got "${values.timeout}")`);
  if (command === 'emergency' && (values['session-id'] !== undefined || values.booking !== undefined)) {
    throw new UsageError('emergency opens its own session: leave out --session-id and --booking');
  }
  const voice = command === 'voice' ? await readVoiceFile(rest[0], values) : null;
  const settings = connectionSettings(values);

  const store = new MemorySecretStore();
  const backend = new SupabaseBackend({ kind: settings.kind, url: settings.url, anonKey: settings.anonKey, secretStore: () => store });
  const where = { url: settings.url, kind: settings.kind, email: settings.email };
  await checkReachable(where, settings.anonKey);
  let connection: UserConnection | null = null;
  try {
    connection = await backend.signIn(settings.email, settings.password);
    const me = await connection.profile();
    const report: Record<string, unknown> = {
      command,
      backend: { kind: settings.kind, url: settings.url },
      user: { id: me.id, displayName: me.displayName, role: me.role },
    };
    const lines: string[] = [`Signed in as ${me.displayName} (${me.role}) on ${settings.url} (${settings.kind === 'embedded' ? "a console's local Supabase" : 'Supabase'}).`];
    let sent: MessageRow | null = null;
    let emergency: EmergencyRow | null = null;
    let sessionId: string;

    if (command === 'emergency') {
      const started = Date.now();
      emergency = await connection.requestEmergency();
      sessionId = emergency.sessionId;
      lines.push(describeEmergency(emergency, Date.now() - started));
      report.emergency = emergency;
    } else {
      sessionId = await openSession(connection, values);
      if (command === 'text') {
        const started = Date.now();
        sent = await connection.sendMessage({ sessionId, clientMessageId: randomUUID(), type: 'text', body });
        lines.push(describeMessage(sent, { elapsedMs: Date.now() - started }));
      } else if (command === 'voice' && voice) {
        const started = Date.now();
        const clientMessageId = randomUUID();
        const storagePath = `${sessionId}/${clientMessageId}/${voice.fileName}`;
        await connection.uploadFile(storagePath, voice.bytes, voice.mimeType);
        sent = await connection.sendMessage({
          sessionId,
          clientMessageId,
          type: 'audio',
          file: { storagePath, mimeType: voice.mimeType, sizeBytes: voice.bytes.byteLength, durationMs: voice.durationMs, waveform: voice.peaks },
        });
        lines.push(describeMessage(sent, { elapsedMs: Date.now() - started, fileName: voice.fileName, measured: voice.measured }));
      } else if (command === 'wait-for') {
        const deadline = Date.now() + timeoutSeconds * 1000;
        for (;;) {
          const found = (await connection.listMessages(sessionId)).find((m) => m.body?.includes(body) || (body === 'audio' && m.type === 'audio'));
          if (found) {
            sent = found;
            break;
          }
          if (Date.now() > deadline) throw new UsageError(`nothing containing "${body}" arrived in session ${sessionId} within ${timeoutSeconds} s`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }

    const session = await sessionView(connection, sessionId);
    if (command === 'wait-for' && sent) lines.push(describeMessage(sent, { received: true, session }));
    lines.push(describeSession(session));
    const next = command === 'wait-for' ? [] : nextSteps(session, me.id, sent);
    lines.push(...next);
    report.session = {
      id: session.id,
      type: session.type,
      status: session.status,
      bookingId: session.bookingId,
      participants: session.participants.map((p) => ({ userId: p.userId, displayName: p.displayName, role: p.role, roleInSession: p.roleInSession })),
    };
    if (sent) report.message = sent;
    report.next = next;
    console.log(values.json ? JSON.stringify(report) : lines.join('\n'));
  } catch (error) {
    throw new UsageError(await describeError(error, where));
  } finally {
    await connection?.signOut().catch(() => {});
    await backend.stop().catch(() => {});
  }
}

try {
  await main(process.argv.slice(2));
  await exit(0);
} catch (error) {
  console.error(`simulate: ${error instanceof UsageError ? error.message : await describeError(error, null)}`);
  await exit(2);
}
