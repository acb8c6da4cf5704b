// The client simulator: signs in as a client and writes, sends a voice note, or raises an emergency,
// on either backend. The clients' app is not part of this project; demos and end-to-end tests need a client.
//
//   Embedded backend (through a running console's web shell, which owns the database):
//     npm run simulate -- --webshell "http://127.0.0.1:PORT/#token=…" --email c@x --password … text "Hello"
//   Supabase:
//     SUPABASE_URL=… SUPABASE_ANON_KEY=… npm run simulate -- --email c@x --password … text "Hello"
//
// Commands: session (prints the client's support session id) · text <body> · voice <file.webm> [--duration-ms N]
//           · emergency · wait-for <text> (prints messages until one contains <text>)
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { WEBSHELL_BRIDGE_PATH, WEBSHELL_TOKEN_PARAM } from '../../src/shared/ipc/channels';
import type { BridgeServerFrame } from '../../src/shared/ipc/bridge-api';
import type { Envelope } from '../../src/shared/ipc/errors';
import { SupabaseBackend, MemorySecretStore } from '../../src/main/backend/supabase/supabase-backend';

interface ClientActions {
  session(): Promise<string>;
  text(sessionId: string, body: string): Promise<string>;
  voice(sessionId: string, bytes: Uint8Array, mimeType: string, fileName: string, durationMs: number): Promise<string>;
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
    voice: async (sessionId, bytes, mimeType, fileName, durationMs) => {
      const entry = await call<{ clientMessageId: string }>('messages.sendFile', {
        sessionId,
        kind: 'audio',
        fileName,
        mimeType,
        bytesBase64: Buffer.from(bytes).toString('base64'),
        durationMs,
        waveform: [],
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
  const backend = new SupabaseBackend({ url, anonKey, secretStore: () => store });
  const connection = await backend.signIn(values.email!, values.password!);
  return {
    session: async () => (await connection.openSupportSession()).id,
    text: async (sessionId, body) => (await connection.sendMessage({ sessionId, clientMessageId: randomUUID(), type: 'text', body })).id,
    voice: async (sessionId, bytes, mimeType, fileName, durationMs) => {
      const clientMessageId = randomUUID();
      const storagePath = `${sessionId}/${clientMessageId}/${fileName}`;
      await connection.uploadFile(storagePath, bytes, mimeType);
      return (
        await connection.sendMessage({
          sessionId,
          clientMessageId,
          type: 'audio',
          file: { storagePath, mimeType, sizeBytes: bytes.byteLength, durationMs, waveform: [] },
        })
      ).id;
    },
    emergency: async () => (await connection.requestEmergency()).id,
    messages: async (sessionId) => connection.listMessages(sessionId),
    close: () => backend.stop(),
  };
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
      const durationMs = Number(values['duration-ms'] ?? 0);
      if (!(durationMs > 0)) fail('voice needs --duration-ms');
      console.log(await client.voice(sessionId, new Uint8Array(await readFile(file)), mime, path.basename(file), durationMs));
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
