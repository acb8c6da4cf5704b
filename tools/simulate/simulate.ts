// The client simulator: signs in as a client and writes, sends a voice note, or raises an emergency,
// on either backend. The clients' app is not part of this project; demos and end-to-end tests need a client.
//
//   Embedded backend (through a running console's web shell, which owns the database):
//     npm run simulate -- --webshell "http://127.0.0.1:PORT/#token=…" --email c@x --password … text "Hello"
//   Supabase:
//     SUPABASE_URL=… SUPABASE_ANON_KEY=… npm run simulate -- --email c@x --password … text "Hello"
//
// Commands: session (prints the client's support session id) · text <body>
//           · voice <file.wav> (peaks and duration measured) | voice <file.webm|ogg|mp3|m4a> --duration-ms N --peaks a,b,…
//           · emergency · wait-for <text> (prints messages until one contains <text>)
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { WEBSHELL_BRIDGE_PATH, WEBSHELL_TOKEN_PARAM } from '../../src/shared/ipc/channels';
import type { BridgeServerFrame } from '../../src/shared/ipc/bridge-api';
import type { Envelope } from '../../src/shared/ipc/errors';
import { SupabaseBackend, MemorySecretStore } from '../../src/main/backend/supabase-connection';

interface ClientActions {
  session(): Promise<string>;
  text(sessionId: string, body: string): Promise<string>;
  voice(sessionId: string, bytes: Uint8Array, mimeType: string, fileName: string, durationMs: number, peaks: number[]): Promise<string>;
  emergency(): Promise<string>;
  messages(sessionId: string): Promise<{ body: string | null; type: string; status: string }[]>;
  close(): Promise<void>;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    webshell: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    'session-id': { type: 'string' },
    'duration-ms': { type: 'string' },
    timeout: { type: 'string', default: '30' },
    peaks: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`simulate: ${message}`);
  process.exit(2);
}

/** Speaks the console's own IPC contract over the web shell bridge, like a console page would. */
async function viaWebShell(pageUrl: string): Promise<ClientActions> {
  const url = new URL(pageUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get(WEBSHELL_TOKEN_PARAM);
  if (!token) fail('the --webshell URL must include its #token=… part, as printed by npm start');
  const ws = new WebSocket(`ws://${url.host}${WEBSHELL_BRIDGE_PATH}?${WEBSHELL_TOKEN_PARAM}=${encodeURIComponent(token)}`, { origin: url.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`web shell refused the bridge: HTTP ${res.statusCode}`)));
  });
  let next = 1;
  const pending = new Map<number, (result: Envelope<unknown>) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as BridgeServerFrame;
    if (frame.kind === 'response') pending.get(frame.id)?.(frame.result);
  });
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const id = next++;
    const result = await new Promise<Envelope<unknown>>((resolve) => {
      pending.set(id, resolve);
      ws.send(JSON.stringify({ kind: 'request', id, name, input }));
    });
    if (!result.ok) throw new Error(`${name} refused: ${result.error.code} (${result.error.messageKey})`);
    return result.value as T;
  };
  await call('auth.signIn', { email: values.email, password: values.password });
  const untilSent = async (clientMessageId: string) => {
    for (let i = 0; i < 600; i++) {
      const page = await call<{ pending: { clientMessageId: string; state: string; lastError: { code: string } | null }[] }>('messages.page', {
        sessionId: values['session-id'] ?? (await actions.session()),
      });
      const row = page.pending.find((p) => p.clientMessageId === clientMessageId);
      if (!row) return;
      if (row.state === 'failed') throw new Error(`send failed: ${row.lastError?.code}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the message is still queued');
  };
  const actions: ClientActions = {
    session: async () => (await call<{ id: string }>('sessions.openSupport', {})).id,
    text: async (sessionId, body) => {
      const entry = await call<{ clientMessageId: string }>('messages.sendText', { sessionId, body });
      await untilSent(entry.clientMessageId);
      return entry.clientMessageId;
    },
    voice: async (sessionId, bytes, mimeType, fileName, durationMs, peaks) => {
      const entry = await call<{ clientMessageId: string }>('messages.sendFile', {
        sessionId,
        kind: 'audio',
        fileName,
        mimeType,
        bytesBase64: Buffer.from(bytes).toString('base64'),
        durationMs,
        waveform: peaks,
      });
      await untilSent(entry.clientMessageId);
      return entry.clientMessageId;
    },
    emergency: async () => (await call<{ id: string }>('emergencies.request', {})).id,
    messages: async (sessionId) => (await call<{ messages: { body: string | null; type: string; status: string }[] }>('messages.page', { sessionId })).messages,
    close: async () => {
      ws.close();
    },
  };
  return actions;
}

/** Straight to a Supabase project with supabase-js, as the clients' app does. */
async function viaSupabase(): Promise<ClientActions> {
  const url = process.env.SUPABASE_URL;
  const anonKey = process.env.SUPABASE_ANON_KEY;
  if (!url || !anonKey) fail('give --webshell URL (embedded backend) or set SUPABASE_URL and SUPABASE_ANON_KEY');
  const store = new MemorySecretStore();
  const backend = new SupabaseBackend({ kind: 'supabase', url, anonKey, secretStore: () => store });
  const connection = await backend.signIn(values.email!, values.password!);
  return {
    session: async () => (await connection.openSupportSession()).id,
    text: async (sessionId, body) => (await connection.sendMessage({ sessionId, clientMessageId: randomUUID(), type: 'text', body })).id,
    voice: async (sessionId, bytes, mimeType, fileName, durationMs, peaks) => {
      const clientMessageId = randomUUID();
      const storagePath = `${sessionId}/${clientMessageId}/${fileName}`;
      await connection.uploadFile(storagePath, bytes, mimeType);
      return (
        await connection.sendMessage({
          sessionId,
          clientMessageId,
          type: 'audio',
          file: { storagePath, mimeType, sizeBytes: bytes.byteLength, durationMs, waveform: peaks },
        })
      ).id;
    },
    emergency: async () => (await connection.requestEmergency()).id,
    messages: async (sessionId) => connection.listMessages(sessionId),
    close: () => backend.stop(),
  };
}

/**
 * Peaks and duration of a 16-bit PCM WAV, computed once as the console does at record time. Other formats
 * would need a decoder this tool does not carry: give their --peaks and --duration-ms instead.
 */
function wavPeaks(bytes: Uint8Array, count = 100): { peaks: number[]; durationMs: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.byteLength < 44 || text(0) !== 'RIFF' || text(8) !== 'WAVE') return null;
  let offset = 12;
  let channels = 1;
  let rate = 0;
  let bits = 0;
  while (offset + 8 <= bytes.byteLength) {
    const id = text(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      channels = view.getUint16(offset + 10, true);
      rate = view.getUint32(offset + 12, true);
      bits = view.getUint16(offset + 22, true);
    } else if (id === 'data' && bits === 16 && rate > 0) {
      const frames = Math.floor(Math.min(size, bytes.byteLength - offset - 8) / (2 * channels));
      const peaks = new Array<number>(count).fill(0);
      for (let f = 0; f < frames; f++) {
        const v = Math.abs(view.getInt16(offset + 8 + f * 2 * channels, true)) / 32768;
        const bucket = Math.min(count - 1, Math.floor((f / frames) * count));
        if (v > peaks[bucket]!) peaks[bucket] = v;
      }
      return { peaks: peaks.map((p) => Math.round(p * 1000) / 1000), durationMs: Math.round((frames / rate) * 1000) };
    }
    offset += 8 + size + (size % 2);
  }
  return null;
}

if (!values.email || !values.password) fail('--email and --password are required');
const [command, ...rest] = positionals;
if (!command) fail('say what to do: session | text <body> | voice <file> | emergency | wait-for <text>');

const client = await (values.webshell ? viaWebShell(values.webshell) : viaSupabase()).catch((error: unknown) =>
  fail(error instanceof Error ? error.message : String(error)),
);
try {
  const sessionId = values['session-id'] ?? (command === 'emergency' ? '' : await client.session());
  switch (command) {
    case 'session':
      console.log(sessionId);
      break;
    case 'text': {
      const body = rest.join(' ').trim();
      if (!body) fail('text needs a body');
      console.log(await client.text(sessionId, body));
      break;
    }
    case 'voice': {
      const file = rest[0];
      if (!file) fail('voice needs a file (webm/opus, ogg, mp3, m4a or wav)');
      const ext = path.extname(file).toLowerCase();
      const mime = ({ '.webm': 'audio/webm', '.ogg': 'audio/ogg', '.mp3': 'audio/mpeg', '.m4a': 'audio/mp4', '.wav': 'audio/wav' } as Record<string, string>)[ext];
      if (!mime) fail(`unsupported audio file type ${ext}`);
      const bytes = new Uint8Array(await readFile(file));
      const measured = ext === '.wav' ? wavPeaks(bytes) : null;
      const durationMs = Number(values['duration-ms'] ?? measured?.durationMs ?? 0);
      if (!(durationMs > 0)) fail('voice needs --duration-ms (measured from the file for 16-bit WAV)');
      const peaks = values.peaks ? values.peaks.split(',').map(Number) : measured?.peaks;
      if (!peaks || peaks.length === 0 || peaks.some((p) => !(p >= 0 && p <= 1))) {
        fail('voice needs --peaks "0.1,0.6,…" (numbers from 0 to 1; computed from the file for 16-bit WAV)');
      }
      console.log(await client.voice(sessionId, bytes, mime, path.basename(file), durationMs, peaks));
      break;
    }
    case 'emergency':
      console.log(await client.emergency());
      break;
    case 'wait-for': {
      const needle = rest.join(' ');
      const deadline = Date.now() + Number(values.timeout) * 1000;
      for (;;) {
        const found = (await client.messages(sessionId)).find((m) => m.body?.includes(needle) || (needle === 'audio' && m.type === 'audio'));
        if (found) {
          console.log(JSON.stringify(found));
          break;
        }
        if (Date.now() > deadline) fail(`nothing containing "${needle}" arrived in time`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      break;
    }
    default:
      fail(`unknown command ${command}`);
  }
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  await client.close();
}
