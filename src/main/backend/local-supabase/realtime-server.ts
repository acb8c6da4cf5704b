// /realtime/v1/websocket: Phoenix channels as Supabase Realtime serves them to realtime-js, for private
// channels only. Joins are authorised by RLS on realtime.messages (realtime-authorization.ts), database
// broadcasts arrive by NOTIFY 'realtime' and are re-read under each subscriber's claims, client broadcasts
// are relayed (never stored) where the write check passed, presence lives in memory.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { JwtVerdict } from './jwt';
import type { PlatformDatabase, RequestClaims } from './platform-database';
import { API_ROLES, authorizeTopic, isDatabaseError, readBroadcasts, type BroadcastRow, type TopicPolicies } from './realtime-authorization';
import { PresenceRegistry, type PresenceDiff } from './realtime-presence';
import {
  PROTOCOL_VERSIONS,
  ProtocolError,
  decodeFrame,
  encodeMessage,
  encodeUserBroadcast,
  type BroadcastPush,
  type IncomingFrame,
  type PhoenixMessage,
  type ProtocolVersion,
  type UserPayload,
} from './realtime-protocol';

export const REALTIME_PATH = '/realtime/v1/websocket';

export interface RealtimeLimits {
  /** Channels one socket may have joined at once (Supabase's `max_channels_per_client`, 100). */
  maxChannelsPerSocket: number;
  /** Size of a client broadcast's payload, and of a presence track's, in bytes of its encoding. */
  maxClientPayloadBytes: number;
  /** Largest WebSocket frame accepted; a larger one closes the socket (1009), as it cannot be read. */
  maxFrameBytes: number;
  /** A socket that sends nothing (not even its heartbeat) for this long is closed, as Phoenix does. */
  idleTimeoutMs: number;
  /** Longest wait between two checks of a channel's token expiry (Supabase checks every 5 minutes or at expiry). */
  tokenCheckIntervalMs: number;
}

export const DEFAULT_REALTIME_LIMITS: RealtimeLimits = {
  maxChannelsPerSocket: 100,
  maxClientPayloadBytes: 16 * 1024,
  maxFrameBytes: 1024 * 1024,
  idleTimeoutMs: 60_000,
  tokenCheckIntervalMs: 5 * 60_000,
};

export interface RealtimeServerOptions {
  database: PlatformDatabase;
  /** Signature and expiry of an API key or access token (jwt.ts's verifyJwt with the data folder's secret). */
  verifyToken(token: string): JwtVerdict;
  log?(message: string): void;
  limits?: Partial<RealtimeLimits>;
}

interface Connection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly vsn: ProtocolVersion;
  /** The socket's own token (the apikey): a join without `access_token` is authorised with it, as on Supabase. */
  readonly apiKey: string;
  readonly channels: Map<string, Channel>;
  /** Joins being authorised right now (they count against the channel limit). */
  joining: number;
  /** Messages are handled in order per topic; topics do not wait for each other. */
  readonly queues: Map<string, Promise<void>>;
  idleTimer: NodeJS.Timeout | null;
  closed: boolean;
}

interface Channel {
  readonly id: number;
  readonly conn: Connection;
  /** As joined: `realtime:<subTopic>`. */
  readonly topic: string;
  readonly subTopic: string;
  readonly joinRef: string | null;
  token: string;
  claims: RequestClaims;
  /** Channels with equal claims share one re-read of each database broadcast. */
  claimsKey: string;
  exp: number;
  policies: TopicPolicies;
  readonly self: boolean;
  readonly ack: boolean;
  readonly presenceKey: string;
  presenceEnabled: boolean;
  tokenTimer: NodeJS.Timeout | null;
  closed: boolean;
}

interface Notification {
  id: string;
  topic: string;
}

type TokenCheck =
  | { ok: true; claims: RequestClaims; exp: number }
  | { ok: false; code: string; message: string; httpMessage: string };

const TOPIC_PREFIX = 'realtime:';
const NOTIFY_CHANNEL = 'realtime';
const NOTIFICATION_BATCH = 500;
const STOP_GRACE_MS = 2_000;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
// Supabase's FlexibleBoolean: booleans and their string spellings.
const flag = (value: unknown): boolean => value === true || value === 'true';

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** A close reason is at most 123 bytes. */
function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

function secondsSinceExpiry(token: string): number {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof claims.exp === 'number') return Math.max(0, Math.floor(Date.now() / 1000) - claims.exp);
  } catch {
    // verifyJwt said "expired", so the claims were readable; 0 is only a fallback.
  }
  return 0;
}

export class RealtimeServer {
  private readonly database: PlatformDatabase;
  private readonly verifyToken: (token: string) => JwtVerdict;
  private readonly log: (message: string) => void;
  readonly limits: RealtimeLimits;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  /** Joined channels by topic (`realtime:<subTopic>`), across sockets. */
  private readonly byTopic = new Map<string, Set<Channel>>();
  private readonly presence = new PresenceRegistry();
  private running = false;
  private starting: Promise<void> | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private notifications: Notification[] = [];
  private delivering: Promise<void> | null = null;
  private nextId = 1;
  /** Every WebSocket accepted and not closed yet, so that stop() can close them all. */
  private readonly openSockets = new Set<WebSocket>();

  constructor(options: RealtimeServerOptions) {
    this.database = options.database;
    this.verifyToken = options.verifyToken;
    this.log = options.log ?? (() => {});
    this.limits = { ...DEFAULT_REALTIME_LIMITS, ...options.limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value <= 0) throw new Error(`Realtime limit ${name} must be a positive integer, got ${String(value)}.`);
    }
    this.wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: this.limits.maxFrameBytes, perMessageDeflate: false });
  }

  /** Listens for database broadcasts; sockets are accepted from now on. Can be called again after stop(). */
  async start(): Promise<void> {
    if (this.running) return;
    this.starting ??= this.database
      .listen(NOTIFY_CHANNEL, (payload) => this.onNotification(payload))
      .then((unlisten) => {
        this.unlisten = unlisten;
        this.running = true;
      })
      .finally(() => {
        this.starting = null;
      });
    await this.starting;
  }

  /** Closes every socket (1001: clients reconnect and rejoin) and stops listening. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const unlisten = this.unlisten;
    this.unlisten = null;
    await unlisten?.();
    this.notifications = [];
    for (const conn of [...this.connections]) this.dropConnection(conn);
    const sockets = [...this.openSockets];
    const closed = sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()))));
    for (const ws of sockets) ws.close(1001, 'Realtime is stopping');
    const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
    await Promise.race([Promise.all(closed), grace]);
    for (const ws of sockets) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    await this.delivering;
    this.presence.clear();
  }

  stats(): { sockets: number; channels: number } {
    let channels = 0;
    for (const set of this.byTopic.values()) channels += set.size;
    return { sockets: this.connections.size, channels };
  }

  /** Takes an HTTP upgrade from the local server; anything not for /realtime/v1/websocket is answered 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => this.log(`realtime: socket error during upgrade: ${error.message}`));
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return this.refuseUpgrade(socket, 400, `Malformed request URL ${JSON.stringify(req.url)}`);
    }
    if (url.pathname !== REALTIME_PATH) return this.refuseUpgrade(socket, 404, `Not found: Realtime listens on ${REALTIME_PATH}`);
    if (!this.running) return this.refuseUpgrade(socket, 503, 'Realtime is not running (stopped or not started yet)');
    const vsn = url.searchParams.get('vsn') ?? '1.0.0';
    if (!(PROTOCOL_VERSIONS as readonly string[]).includes(vsn)) {
      return this.refuseUpgrade(socket, 400, `Unsupported protocol version vsn=${vsn}: use ${PROTOCOL_VERSIONS.join(' or ')}`);
    }
    const header = req.headers['x-api-key'];
    const apiKey = (typeof header === 'string' ? header : undefined) ?? url.searchParams.get('apikey');
    if (!apiKey) return this.refuseUpgrade(socket, 401, 'API key is missing');
    const key = this.checkToken(apiKey);
    if (!key.ok) return this.refuseUpgrade(socket, 401, key.httpMessage);
    if (key.claims.role !== 'anon' && key.claims.role !== 'service_role') {
      return this.refuseUpgrade(socket, 401, `The API key must be the project's anon or service_role key (its role is ${JSON.stringify(key.claims.role)})`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, vsn as ProtocolVersion, apiKey));
  }

  private refuseUpgrade(socket: Duplex, status: number, message: string): void {
    this.log(`realtime: upgrade refused (${status}): ${message}`);
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  private accept(ws: WebSocket, vsn: ProtocolVersion, apiKey: string): void {
    const conn: Connection = {
      id: this.nextId++,
      ws,
      vsn,
      apiKey,
      channels: new Map(),
      joining: 0,
      queues: new Map(),
      idleTimer: null,
      closed: false,
    };
    this.openSockets.add(ws);
    ws.on('close', () => {
      this.openSockets.delete(ws);
      this.dropConnection(conn);
    });
    ws.on('error', (error) => this.log(`realtime: socket ${conn.id} error: ${error.message}`));
    if (!this.running) {
      // stop() ran while this handshake was completing.
      conn.closed = true;
      ws.close(1001, 'Realtime is stopping');
      return;
    }
    this.connections.add(conn);
    conn.idleTimer = setTimeout(() => {
      this.log(`realtime: socket ${conn.id} sent nothing for ${this.limits.idleTimeoutMs} ms; closing it`);
      ws.close(1000, closeReason(`No message (heartbeat) for ${this.limits.idleTimeoutMs} ms`));
    }, this.limits.idleTimeoutMs);
    conn.idleTimer.unref();
    ws.on('message', (data, isBinary) => this.onFrame(conn, toBuffer(data), isBinary));
  }

  /** Forgets a socket and its channels (their presences leave); nothing more is sent to it. */
  private dropConnection(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    for (const channel of [...conn.channels.values()]) this.closeChannel(channel, { notify: false });
  }

  private send(conn: Connection, data: string | Buffer): void {
    if (!conn.closed && conn.ws.readyState === WebSocket.OPEN) conn.ws.send(data);
  }

  private sendMessage(conn: Connection, message: PhoenixMessage): void {
    this.send(conn, encodeMessage(conn.vsn, message));
  }

  private reply(conn: Connection, to: PhoenixMessage | BroadcastPush, status: 'ok' | 'error', response: Record<string, unknown>, joinRef = to.join_ref): void {
    this.sendMessage(conn, { join_ref: joinRef, ref: to.ref, topic: to.topic, event: 'phx_reply', payload: { status, response } });
  }

  private push(channel: Channel, event: string, payload: unknown): void {
    this.sendMessage(channel.conn, { join_ref: channel.joinRef, ref: null, topic: channel.topic, event, payload });
  }

  // ---- incoming frames --------------------------------------------------------------------------------

  private onFrame(conn: Connection, data: Buffer, isBinary: boolean): void {
    if (conn.closed) return;
    conn.idleTimer?.refresh();
    let frame: IncomingFrame;
    try {
      frame = decodeFrame(conn.vsn, data, isBinary);
    } catch (error) {
      const protocolError = error instanceof ProtocolError ? error : new ProtocolError(`Invalid message: ${String(error)}`, 1007);
      this.log(`realtime: socket ${conn.id} closed: ${protocolError.message}`);
      conn.ws.close(protocolError.closeCode, closeReason(protocolError.message));
      return;
    }
    if (frame.kind === 'message' && frame.message.topic === 'phoenix') {
      // Heartbeats skip the topic queues: a slow join must not make the client think the socket died.
      if (frame.message.event === 'heartbeat') this.reply(conn, frame.message, 'ok', {});
      else this.reply(conn, frame.message, 'error', { reason: 'unmatched topic' });
      return;
    }
    this.enqueue(conn, frame.kind === 'message' ? frame.message.topic : frame.push.topic, () => this.handleFrame(conn, frame));
  }

  private async handleFrame(conn: Connection, frame: IncomingFrame): Promise<void> {
    if (conn.closed) return;
    const message = frame.kind === 'message' ? frame.message : null;
    try {
      if (frame.kind === 'broadcast') return this.handleBroadcast(conn, frame.push);
      const msg = message!;
      if (msg.event === 'phx_join') return await this.handleJoin(conn, msg);
      const channel = this.channelFor(conn, msg);
      if (!channel) return;
      switch (msg.event) {
        case 'phx_leave':
          this.reply(conn, msg, 'ok', {});
          this.closeChannel(channel, { notify: true });
          return;
        case 'access_token':
          return await this.handleAccessToken(channel, msg);
        case 'presence':
          return this.handlePresence(channel, msg);
        case 'broadcast':
          return this.refuseBroadcast(channel, msg, 'InvalidBroadcast: a broadcast needs a string `event` and a `payload`');
        default:
          // Supabase ignores other client events on a channel.
          this.log(`realtime: ignored event ${JSON.stringify(msg.event)} on ${msg.topic}`);
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.log(`realtime: error handling a message on socket ${conn.id}: ${detail}`);
      const to = message ?? (frame.kind === 'broadcast' ? frame.push : null);
      if (to?.ref) this.reply(conn, to, 'error', { reason: `UnknownErrorOnChannel: ${detail}` });
    }
  }

  /** The joined channel a message is for; replies "unmatched topic" as Phoenix does when there is none. */
  private channelFor(conn: Connection, msg: PhoenixMessage | BroadcastPush): Channel | null {
    const channel = conn.channels.get(msg.topic);
    if (!channel) {
      this.reply(conn, msg, 'error', { reason: 'unmatched topic' }, null);
      return null;
    }
    // A message for an earlier join of this topic raced its close: Phoenix drops it.
    if (msg.join_ref && channel.joinRef && msg.join_ref !== channel.joinRef) return null;
    return channel;
  }

  // ---- tokens ---------------------------------------------------------------------------------------

  private checkToken(token: string): TokenCheck {
    const verdict = this.verifyToken(token);
    if (!verdict.ok) {
      switch (verdict.reason) {
        case 'expired': {
          const message = `Token has expired ${secondsSinceExpiry(token)} seconds ago`;
          return { ok: false, code: 'InvalidJWTToken', message, httpMessage: 'Token has expired' };
        }
        case 'bad_signature':
          return { ok: false, code: 'JwtSignatureError', message: 'Failed to validate JWT signature', httpMessage: 'Failed to validate JWT signature' };
        default:
          return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT', httpMessage: 'The token provided is not a valid JWT' };
      }
    }
    const { claims } = verdict;
    if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
      const message = 'Fields `role` and `exp` are required in JWT';
      return { ok: false, code: 'InvalidJWTToken', message, httpMessage: message };
    }
    return { ok: true, claims: claims as RequestClaims, exp: claims.exp };
  }

  private armTokenTimer(channel: Channel): void {
    if (channel.tokenTimer) clearTimeout(channel.tokenTimer);
    const untilExpiry = Math.max(0, channel.exp * 1000 - Date.now());
    channel.tokenTimer = setTimeout(() => {
      channel.tokenTimer = null;
      const token = channel.token;
      this.enqueue(channel.conn, channel.topic, async () => {
        if (channel.closed || channel.token !== token) return;
        const check = this.checkToken(token);
        if (check.ok) this.armTokenTimer(channel);
        else this.shutdown(channel, check.message);
      });
    }, Math.min(untilExpiry, this.limits.tokenCheckIntervalMs));
    channel.tokenTimer.unref();
  }

  private enqueue(conn: Connection, topic: string, task: () => Promise<void>): void {
    const previous = conn.queues.get(topic) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => this.log(`realtime: ${error instanceof Error ? error.message : String(error)}`));
    conn.queues.set(topic, next);
    void next.finally(() => {
      if (conn.queues.get(topic) === next) conn.queues.delete(topic);
    });
  }

  // ---- join, leave, renewal ---------------------------------------------------------------------------

  private async handleJoin(conn: Connection, msg: PhoenixMessage): Promise<void> {
    const refuse = (reason: string) => {
      this.log(`realtime: join of ${msg.topic} refused on socket ${conn.id}: ${reason}`);
      this.reply(conn, msg, 'error', { reason });
    };
    if (!msg.topic.startsWith(TOPIC_PREFIX)) {
      this.reply(conn, msg, 'error', { reason: 'unmatched topic' }, null);
      return;
    }
    // Phoenix closes an earlier join of the same topic before it handles the new one.
    const existing = conn.channels.get(msg.topic);
    if (existing) this.closeChannel(existing, { notify: true });

    const subTopic = msg.topic.slice(TOPIC_PREFIX.length);
    if (!subTopic) return refuse('TopicNameRequired: You must provide a topic name');
    const payload = msg.payload as Record<string, unknown>;
    const config = isObject(payload.config) ? payload.config : {};
    if (!flag(config.private)) return refuse('PrivateOnly: This project only allows private channels');
    if (conn.channels.size + conn.joining >= this.limits.maxChannelsPerSocket) return refuse('ChannelRateLimitReached: Too many channels');
    if (Array.isArray(config.postgres_changes) && config.postgres_changes.some((c) => c !== null)) {
      return refuse('PostgresChangesNotServed: this server serves broadcast and presence; subscribe to database broadcasts instead of postgres_changes');
    }
    const broadcast = isObject(config.broadcast) ? config.broadcast : {};
    if (broadcast.replay !== undefined && broadcast.replay !== null) {
      return refuse('UnableToReplayMessages: broadcast replay is not served by this server; read what was missed through the RPCs');
    }
    const given = typeof payload.access_token === 'string' ? payload.access_token : typeof payload.user_token === 'string' ? payload.user_token : null;
    // A publishable key ("sb_…") or no token: the socket's own key decides, as on Supabase.
    const token = given && !given.startsWith('sb_') ? given : conn.apiKey;
    const check = this.checkToken(token);
    if (!check.ok) return refuse(`${check.code}: ${check.message}`);
    const unauthorized = `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`;
    if (!API_ROLES.has(check.claims.role)) return refuse(unauthorized);

    const presence = isObject(config.presence) ? config.presence : {};
    const presenceEnabled = flag(presence.enabled);
    let policies: TopicPolicies;
    conn.joining++;
    try {
      policies = await authorizeTopic(this.database, check.claims, subTopic);
    } catch (error) {
      if (isDatabaseError(error)) {
        this.log(`realtime: RLS check of ${subTopic} failed: ${error.code} ${error.message}`);
        return refuse(unauthorized);
      }
      this.log(`realtime: could not authorise ${subTopic}: ${error instanceof Error ? error.message : String(error)}`);
      return refuse('Realtime was unable to connect to the project database');
    } finally {
      conn.joining--;
    }
    if (conn.closed) return;
    if (!this.running) return refuse('RealtimeRestarting: Realtime is restarting, please standby');
    if (!(policies.broadcastRead || (presenceEnabled && policies.presenceRead))) return refuse(unauthorized);

    const presenceKey = presence.key === undefined || presence.key === null || presence.key === '' ? randomUUID() : String(presence.key);
    const channel: Channel = {
      id: this.nextId++,
      conn,
      topic: msg.topic,
      subTopic,
      joinRef: msg.join_ref ?? msg.ref,
      token,
      claims: check.claims,
      claimsKey: JSON.stringify(check.claims),
      exp: check.exp,
      policies,
      self: flag(broadcast.self),
      ack: flag(broadcast.ack),
      presenceKey,
      presenceEnabled,
      tokenTimer: null,
      closed: false,
    };
    conn.channels.set(channel.topic, channel);
    let joined = this.byTopic.get(channel.topic);
    if (!joined) this.byTopic.set(channel.topic, (joined = new Set()));
    joined.add(channel);
    this.reply(conn, msg, 'ok', { postgres_changes: [] });
    if (presenceEnabled && policies.presenceRead) this.push(channel, 'presence_state', this.presence.state(channel.topic));
    this.armTokenTimer(channel);
  }

  /** Ends a channel: its presence leaves; `notify` sends phx_close (not when the socket is gone). */
  private closeChannel(channel: Channel, { notify }: { notify: boolean }): void {
    if (channel.closed) return;
    channel.closed = true;
    if (channel.tokenTimer) clearTimeout(channel.tokenTimer);
    if (channel.conn.channels.get(channel.topic) === channel) channel.conn.channels.delete(channel.topic);
    const joined = this.byTopic.get(channel.topic);
    joined?.delete(channel);
    if (joined?.size === 0) this.byTopic.delete(channel.topic);
    const diff = this.presence.untrack(channel.topic, channel.id);
    if (diff) this.sendPresenceDiff(channel.topic, diff);
    if (notify) {
      this.sendMessage(channel.conn, { join_ref: channel.joinRef, ref: channel.joinRef, topic: channel.topic, event: 'phx_close', payload: {} });
    }
  }

  /** Supabase's shutdown: a `system` error naming the reason, then the channel is closed (phx_close). */
  private shutdown(channel: Channel, message: string): void {
    this.log(`realtime: channel ${channel.subTopic} on socket ${channel.conn.id} shut down: ${message}`);
    this.push(channel, 'system', { extension: 'system', status: 'error', message, channel: channel.subTopic });
    this.closeChannel(channel, { notify: true });
  }

  private async handleAccessToken(channel: Channel, msg: PhoenixMessage): Promise<void> {
    const token = (msg.payload as { access_token?: unknown }).access_token;
    if (typeof token !== 'string' || token === channel.token || token.startsWith('sb_')) return;
    const check = this.checkToken(token);
    if (!check.ok) return this.shutdown(channel, check.message);
    const unauthorized = `You do not have permissions to read from this Channel topic: ${channel.subTopic}`;
    if (!API_ROLES.has(check.claims.role)) return this.shutdown(channel, unauthorized);
    let policies: TopicPolicies;
    try {
      policies = await authorizeTopic(this.database, check.claims, channel.subTopic);
    } catch (error) {
      if (channel.closed) return;
      if (isDatabaseError(error)) return this.shutdown(channel, unauthorized);
      return this.shutdown(channel, 'Realtime was unable to connect to the project database');
    }
    if (channel.closed) return;
    if (!(policies.broadcastRead || (channel.presenceEnabled && policies.presenceRead))) return this.shutdown(channel, unauthorized);
    const before = channel.policies;
    if ((before.broadcastRead && !policies.broadcastRead) || (before.presenceRead && !policies.presenceRead)) {
      return this.shutdown(channel, `You no longer have permission to read from this Channel topic: ${channel.subTopic}`);
    }
    channel.token = token;
    channel.claims = check.claims;
    channel.claimsKey = JSON.stringify(check.claims);
    channel.exp = check.exp;
    channel.policies = policies;
    this.armTokenTimer(channel);
  }

  // ---- client broadcast and presence ------------------------------------------------------------------

  /** A refused broadcast: an error reply when the sender asked for acks, otherwise a `system` message. */
  private refuseBroadcast(channel: Channel, push: PhoenixMessage | BroadcastPush, reason: string): void {
    this.log(`realtime: broadcast on ${channel.subTopic} from socket ${channel.conn.id} refused: ${reason}`);
    if (channel.ack && push.ref) this.reply(channel.conn, push, 'error', { reason });
    else this.push(channel, 'system', { extension: 'broadcast', status: 'error', message: reason, channel: channel.subTopic });
  }

  private handleBroadcast(conn: Connection, push: BroadcastPush): void {
    const channel = this.channelFor(conn, push);
    if (!channel) return;
    if (!channel.policies.broadcastWrite) {
      return this.refuseBroadcast(channel, push, `Unauthorized: You do not have permissions to write to this Channel topic: ${channel.subTopic}`);
    }
    const size = push.userPayload.bytes.length;
    if (size > this.limits.maxClientPayloadBytes) {
      return this.refuseBroadcast(channel, push, `PayloadSizeExceeded: the payload is ${size} bytes; the limit is ${this.limits.maxClientPayloadBytes} bytes`);
    }
    this.relay(channel, push.userEvent, push.userPayload);
    if (channel.ack && push.ref) this.reply(conn, push, 'ok', {});
  }

  /** To every channel joined on the topic that may read broadcasts; to the sender only with `self`. */
  private relay(from: Channel, userEvent: string, userPayload: UserPayload): void {
    const frames = new Map<ProtocolVersion, string | Buffer | null>();
    for (const channel of this.byTopic.get(from.topic) ?? []) {
      if ((channel === from && !from.self) || !channel.policies.broadcastRead) continue;
      let frame = frames.get(channel.conn.vsn);
      if (frame === undefined) frames.set(channel.conn.vsn, (frame = encodeUserBroadcast(channel.conn.vsn, from.topic, userEvent, userPayload)));
      if (frame) this.send(channel.conn, frame);
    }
  }

  private handlePresence(channel: Channel, msg: PhoenixMessage): void {
    const body = msg.payload as { event?: unknown; payload?: unknown };
    const event = typeof body.event === 'string' ? body.event.toLowerCase() : '';
    if (event === 'track') {
      if (!channel.policies.presenceWrite) {
        this.reply(channel.conn, msg, 'error', { reason: `Unauthorized: You do not have permissions to track presence on this Channel topic: ${channel.subTopic}` });
        return;
      }
      const payload = body.payload ?? {};
      if (!isObject(payload)) {
        this.reply(channel.conn, msg, 'error', { reason: 'Presence track payload must be a map' });
        return;
      }
      if (Buffer.byteLength(JSON.stringify(payload)) > this.limits.maxClientPayloadBytes) return this.shutdown(channel, 'Track message size exceeded');
      channel.presenceEnabled = true;
      const diff = this.presence.track(channel.topic, channel.id, channel.presenceKey, payload);
      if (diff) this.sendPresenceDiff(channel.topic, diff);
      this.reply(channel.conn, msg, 'ok', {});
      return;
    }
    if (event === 'untrack') {
      const diff = this.presence.untrack(channel.topic, channel.id);
      if (diff) this.sendPresenceDiff(channel.topic, diff);
      this.reply(channel.conn, msg, 'ok', {});
      return;
    }
    this.reply(channel.conn, msg, 'error', { reason: `UnknownPresenceEvent: ${JSON.stringify(body.event)}` });
  }

  /** A presence change goes to every channel on the topic that has presence on and may read it. */
  private sendPresenceDiff(topic: string, diff: PresenceDiff): void {
    const frames = new Map<ProtocolVersion, string>();
    for (const channel of this.byTopic.get(topic) ?? []) {
      if (!channel.presenceEnabled || !channel.policies.presenceRead) continue;
      let frame = frames.get(channel.conn.vsn);
      if (frame === undefined) {
        frames.set(channel.conn.vsn, (frame = encodeMessage(channel.conn.vsn, { join_ref: null, ref: null, topic, event: 'presence_diff', payload: diff })));
      }
      this.send(channel.conn, frame);
    }
  }

  // ---- database broadcasts ----------------------------------------------------------------------------

  private onNotification(raw: string): void {
    if (!this.running) return;
    let note: Partial<Notification>;
    try {
      note = JSON.parse(raw) as Partial<Notification>;
    } catch {
      this.log(`realtime: ignored a NOTIFY ${NOTIFY_CHANNEL} that is not JSON: ${raw.slice(0, 200)}`);
      return;
    }
    if (typeof note.id !== 'string' || typeof note.topic !== 'string') {
      this.log(`realtime: ignored a NOTIFY ${NOTIFY_CHANNEL} without id and topic: ${raw.slice(0, 200)}`);
      return;
    }
    this.notifications.push({ id: note.id, topic: note.topic });
    // One batch at a time keeps every socket's broadcasts in commit order.
    this.delivering ??= this.deliverPending().finally(() => {
      this.delivering = null;
    });
  }

  private async deliverPending(): Promise<void> {
    while (this.running && this.notifications.length > 0) {
      const batch = this.notifications.splice(0, NOTIFICATION_BATCH);
      try {
        await this.deliverBatch(batch);
      } catch (error) {
        this.log(`realtime: database broadcasts not delivered: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /**
   * Each row is re-read under the claims of the channels joined on its topic, so RLS decides who gets it:
   * one transaction per distinct set of claims for the whole batch, then delivery in notification order.
   */
  private async deliverBatch(batch: Notification[]): Promise<void> {
    const groups = new Map<string, { claims: RequestClaims; idsByTopic: Map<string, string[]> }>();
    const targets: { note: Notification; receivers: { channel: Channel; claimsKey: string }[] }[] = [];
    for (const note of batch) {
      const receivers = [...(this.byTopic.get(TOPIC_PREFIX + note.topic) ?? [])]
        .filter((channel) => channel.policies.broadcastRead)
        .map((channel) => ({ channel, claimsKey: channel.claimsKey }));
      if (receivers.length === 0) continue;
      targets.push({ note, receivers });
      for (const { channel, claimsKey } of receivers) {
        let group = groups.get(claimsKey);
        if (!group) groups.set(claimsKey, (group = { claims: channel.claims, idsByTopic: new Map() }));
        const ids = group.idsByTopic.get(note.topic);
        if (!ids) group.idsByTopic.set(note.topic, [note.id]);
        else if (ids[ids.length - 1] !== note.id) ids.push(note.id);
      }
    }
    if (targets.length === 0) return;
    const visible = new Map<string, Map<string, BroadcastRow>>();
    await Promise.all(
      [...groups].map(async ([claimsKey, group]) => {
        try {
          const rows = await readBroadcasts(this.database, group.claims, group.idsByTopic);
          visible.set(claimsKey, new Map(rows.map((row) => [row.id, row])));
        } catch (error) {
          this.log(`realtime: re-reading broadcasts as ${group.claims.role} ${String(group.claims.sub ?? '')} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
    if (!this.running) return;
    for (const { note, receivers } of targets) {
      const frames = new Map<ProtocolVersion, string | Buffer | null>();
      for (const { channel, claimsKey } of receivers) {
        if (channel.closed) continue;
        const row = visible.get(claimsKey)?.get(note.id);
        if (!row) continue;
        if (typeof row.event !== 'string') {
          this.log(`realtime: broadcast ${row.id} on ${row.topic} has no event; not sent`);
          break;
        }
        let frame = frames.get(channel.conn.vsn);
        if (frame === undefined) {
          const userPayload: UserPayload = { encoding: 'json', bytes: Buffer.from(JSON.stringify(row.payload ?? null), 'utf8'), json: row.payload ?? null };
          frames.set(channel.conn.vsn, (frame = encodeUserBroadcast(channel.conn.vsn, channel.topic, row.event, userPayload, { id: row.id })));
        }
        if (frame) this.send(channel.conn, frame);
      }
    }
  }
}
