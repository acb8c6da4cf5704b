// The Phoenix wire formats Supabase Realtime speaks with realtime-js: vsn 1.0.0 (JSON objects), vsn 2.0.0
// (JSON arrays, plus the binary frames Supabase adds for user broadcasts: kind 3 "user broadcast push" from
// the client, kind 4 "user broadcast" to the client). Framing only; what a message means is the server's.

export type ProtocolVersion = '1.0.0' | '2.0.0';
export const PROTOCOL_VERSIONS: readonly ProtocolVersion[] = ['1.0.0', '2.0.0'];

/** One Phoenix message, as both serializers carry it. */
export interface PhoenixMessage {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/**
 * A user broadcast's payload, kept as the bytes that carry it so that it is measured, and relayed to
 * vsn 2.0.0 sockets, without re-encoding. `json` holds the parsed value when the encoding is JSON.
 */
export interface UserPayload {
  encoding: 'json' | 'binary';
  bytes: Buffer;
  json?: unknown;
}

/** A client's `broadcast` push, from either serializer (vsn 2.0.0 sends it as a binary kind 3 frame). */
export interface BroadcastPush {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  userEvent: string;
  userPayload: UserPayload;
}

export type IncomingFrame = { kind: 'message'; message: PhoenixMessage } | { kind: 'broadcast'; push: BroadcastPush };

/** A frame that cannot be decoded: the connection is closed with `closeCode` and this message. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly closeCode: 1003 | 1007,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;
const ENCODING_BINARY = 0;
const ENCODING_JSON = 1;
// Topic, event and metadata lengths are one byte each in the binary frames.
const MAX_HEADER_FIELD_BYTES = 255;

const refOf = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProtocolError(`Invalid message: not JSON (${(error as Error).message})`, 1007);
  }
}

function checkMessage(topic: unknown, event: unknown, payload: unknown): void {
  if (typeof topic !== 'string' || typeof event !== 'string') {
    throw new ProtocolError('Invalid message: `topic` and `event` must be strings', 1007);
  }
  if (payload === null || typeof payload !== 'object') {
    throw new ProtocolError(`Invalid message: the payload of \`${event}\` on \`${topic}\` must be an object`, 1007);
  }
}

/** A JSON `broadcast` push is a user broadcast too; its user payload is measured as its JSON text. */
function asBroadcastPush(message: PhoenixMessage): BroadcastPush | null {
  if (message.event !== 'broadcast') return null;
  const body = message.payload as { event?: unknown; payload?: unknown };
  if (typeof body.event !== 'string') return null;
  const json = body.payload ?? {};
  return {
    join_ref: message.join_ref,
    ref: message.ref,
    topic: message.topic,
    userEvent: body.event,
    userPayload: { encoding: 'json', bytes: Buffer.from(JSON.stringify(json), 'utf8'), json },
  };
}

function decodeUserBroadcastPush(data: Buffer): BroadcastPush {
  // kind, join_ref size, ref size, topic size, user event size, metadata size, payload encoding
  const headerLength = 7;
  if (data.length < headerLength) throw new ProtocolError('Invalid binary frame: truncated header', 1007);
  const sizes = [data[1]!, data[2]!, data[3]!, data[4]!, data[5]!];
  const encoding = data[6]!;
  let offset = headerLength;
  const fields: string[] = [];
  for (const size of sizes) {
    if (offset + size > data.length) throw new ProtocolError('Invalid binary frame: field lengths exceed the frame', 1007);
    fields.push(data.subarray(offset, offset + size).toString('utf8'));
    offset += size;
  }
  const [joinRef, ref, topic, userEvent, metadata] = fields as [string, string, string, string, string];
  if (metadata) parseJson(metadata); // carried by realtime-js but unused, as Supabase leaves it unused
  const bytes = Buffer.from(data.subarray(offset));
  let userPayload: UserPayload;
  if (encoding === ENCODING_JSON) {
    userPayload = { encoding: 'json', bytes, json: parseJson(bytes.toString('utf8')) };
  } else if (encoding === ENCODING_BINARY) {
    userPayload = { encoding: 'binary', bytes };
  } else {
    throw new ProtocolError(`Invalid binary frame: unknown payload encoding ${encoding}`, 1007);
  }
  return { join_ref: joinRef || null, ref: ref || null, topic, userEvent, userPayload };
}

/** Decodes one WebSocket frame from a client. */
export function decodeFrame(vsn: ProtocolVersion, data: Buffer, isBinary: boolean): IncomingFrame {
  if (isBinary) {
    if (vsn !== '2.0.0') throw new ProtocolError('Binary frames need vsn=2.0.0', 1003);
    const kind = data[0];
    if (kind !== KIND_USER_BROADCAST_PUSH) {
      throw new ProtocolError(`Unsupported binary frame kind ${String(kind)}: only user broadcast pushes (3) are accepted`, 1003);
    }
    return { kind: 'broadcast', push: decodeUserBroadcastPush(data) };
  }
  const parsed = parseJson(data.toString('utf8'));
  let message: PhoenixMessage;
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length < 5) throw new ProtocolError('Invalid message: expected a vsn 2.0.0 array [join_ref, ref, topic, event, payload]', 1007);
    const [joinRef, ref, topic, event, payload] = parsed as unknown[];
    checkMessage(topic, event, payload);
    message = { join_ref: refOf(joinRef), ref: refOf(ref), topic: topic as string, event: event as string, payload };
  } else {
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ProtocolError('Invalid message: expected a vsn 1.0.0 object {topic, event, payload, ref}', 1007);
    const { join_ref: joinRef, ref, topic, event, payload } = parsed as Record<string, unknown>;
    checkMessage(topic, event, payload);
    message = { join_ref: refOf(joinRef), ref: refOf(ref), topic: topic as string, event: event as string, payload };
  }
  const push = asBroadcastPush(message);
  return push ? { kind: 'broadcast', push } : { kind: 'message', message };
}

/** A message to one client (replies, pushes on a channel, broadcasts). */
export function encodeMessage(vsn: ProtocolVersion, message: PhoenixMessage): string {
  if (vsn === '2.0.0') return JSON.stringify([message.join_ref, message.ref, message.topic, message.event, message.payload]);
  // vsn 1.0.0 carries no join_ref (Phoenix's V1 serializer leaves it out).
  return JSON.stringify({ topic: message.topic, event: message.event, payload: message.payload, ref: message.ref });
}

/**
 * A user broadcast to a client: a kind 4 binary frame for vsn 2.0.0 (as Supabase sends it), a JSON
 * `broadcast` message for vsn 1.0.0. Returns null when the socket cannot carry it (a binary payload on
 * vsn 1.0.0, which Supabase does not deliver either).
 */
export function encodeUserBroadcast(
  vsn: ProtocolVersion,
  topic: string,
  userEvent: string,
  userPayload: UserPayload,
  meta?: Record<string, unknown>,
): string | Buffer | null {
  const metadata = meta ? JSON.stringify(meta) : '';
  const topicBytes = Buffer.from(topic, 'utf8');
  const eventBytes = Buffer.from(userEvent, 'utf8');
  const metaBytes = Buffer.from(metadata, 'utf8');
  const fitsBinary = [topicBytes, eventBytes, metaBytes].every((b) => b.length <= MAX_HEADER_FIELD_BYTES);
  if (vsn === '2.0.0' && fitsBinary) {
    const header = Buffer.from([
      KIND_USER_BROADCAST,
      topicBytes.length,
      eventBytes.length,
      metaBytes.length,
      userPayload.encoding === 'json' ? ENCODING_JSON : ENCODING_BINARY,
    ]);
    return Buffer.concat([header, topicBytes, eventBytes, metaBytes, userPayload.bytes]);
  }
  if (userPayload.encoding !== 'json') return null;
  const payload: Record<string, unknown> = { type: 'broadcast', event: userEvent, payload: userPayload.json ?? JSON.parse(userPayload.bytes.toString('utf8')) };
  if (meta) payload.meta = meta;
  return encodeMessage(vsn, { join_ref: null, ref: null, topic, event: 'broadcast', payload });
}
