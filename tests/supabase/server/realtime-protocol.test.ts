// The frames and presence diffs checked against the client's own code: realtime-js's vsn 2.0.0 serializer
// encodes what the server decodes and decodes what it encodes, and Phoenix's Presence applies its diffs.
import { Presence } from '@supabase/phoenix';
import Serializer from '@supabase/realtime-js/dist/main/lib/serializer';
import { describe, expect, it } from 'vitest';
import { PresenceRegistry, type PresenceDiff, type PresenceState } from '../../../src/main/backend/local-supabase/realtime-presence';
import { decodeFrame, encodeMessage, encodeUserBroadcast, ProtocolError } from '../../../src/main/backend/local-supabase/realtime-protocol';

const serializer = new Serializer();
const encode = (msg: Record<string, unknown>): string | ArrayBuffer => serializer.encode(msg as never, (r: string | ArrayBuffer) => r);
const decode = (raw: string | Buffer): Record<string, unknown> => {
  const data = typeof raw === 'string' ? raw : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  return serializer.decode(data as ArrayBuffer, (m: Record<string, unknown>) => m);
};
const asFrame = (raw: string | ArrayBuffer) => (typeof raw === 'string' ? Buffer.from(raw) : Buffer.from(raw));

describe('realtime wire formats against realtime-js 2.109', () => {
  it('decodes the binary broadcast push realtime-js sends (JSON and binary payloads)', () => {
    const json = encode({ join_ref: '3', ref: '7', topic: 'realtime:session:s', event: 'broadcast', payload: { type: 'broadcast', event: 'typing', payload: { user_id: 'u' } } });
    expect(json).toBeInstanceOf(ArrayBuffer);
    expect(decodeFrame('2.0.0', asFrame(json), true)).toEqual({
      kind: 'broadcast',
      push: { join_ref: '3', ref: '7', topic: 'realtime:session:s', userEvent: 'typing', userPayload: { encoding: 'json', bytes: Buffer.from('{"user_id":"u"}'), json: { user_id: 'u' } } },
    });
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    const binary = encode({ join_ref: '3', ref: '8', topic: 'realtime:t', event: 'broadcast', payload: { type: 'broadcast', event: 'blob', payload: bytes } });
    const frame = decodeFrame('2.0.0', asFrame(binary), true);
    expect(frame).toMatchObject({ kind: 'broadcast', push: { userEvent: 'blob', userPayload: { encoding: 'binary', bytes: Buffer.from([1, 2, 3]) } } });
  });

  it('decodes JSON pushes of both serializers, and a vsn 1.0.0 broadcast as a user broadcast', () => {
    const join = encode({ join_ref: '1', ref: '1', topic: 'realtime:x', event: 'phx_join', payload: { config: {} } });
    expect(decodeFrame('2.0.0', asFrame(join), false)).toEqual({ kind: 'message', message: { join_ref: '1', ref: '1', topic: 'realtime:x', event: 'phx_join', payload: { config: {} } } });
    const v1 = JSON.stringify({ topic: 'realtime:x', event: 'broadcast', payload: { type: 'broadcast', event: 'typing', payload: { a: 1 } }, ref: '4', join_ref: '1' });
    expect(decodeFrame('1.0.0', Buffer.from(v1), false)).toMatchObject({ kind: 'broadcast', push: { userEvent: 'typing', ref: '4', userPayload: { encoding: 'json', json: { a: 1 } } } });
  });

  it('encodes user broadcasts realtime-js decodes: kind 4 with meta, JSON when a header field is over 255 bytes', () => {
    const payload = { record: { id: 'm', body: 'héllo' } };
    const bytes = Buffer.from(JSON.stringify(payload));
    const binary = encodeUserBroadcast('2.0.0', 'realtime:user:u', 'chat_message', { encoding: 'json', bytes, json: payload }, { id: 'row' });
    expect(Buffer.isBuffer(binary)).toBe(true);
    expect(decode(binary as Buffer)).toEqual({
      join_ref: null,
      ref: null,
      topic: 'realtime:user:u',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'chat_message', payload, meta: { id: 'row' } },
    });
    const longTopic = `realtime:${'t'.repeat(300)}`;
    const text = encodeUserBroadcast('2.0.0', longTopic, 'e', { encoding: 'json', bytes, json: payload });
    expect(typeof text).toBe('string');
    expect(decode(text as string)).toEqual({ join_ref: null, ref: null, topic: longTopic, event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload } });
    // A binary payload cannot be carried to a vsn 1.0.0 socket (Supabase does not send it either).
    expect(encodeUserBroadcast('1.0.0', 'realtime:t', 'e', { encoding: 'binary', bytes: Buffer.from([1]) })).toBeNull();
    expect(JSON.parse(encodeMessage('1.0.0', { join_ref: '1', ref: '2', topic: 't', event: 'phx_reply', payload: {} }))).toEqual({ topic: 't', event: 'phx_reply', payload: {}, ref: '2' });
  });

  it('refuses undecodable frames with the close code that says why', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
        return (error as ProtocolError).closeCode;
      }
      throw new Error('no error');
    };
    expect(code(() => decodeFrame('2.0.0', Buffer.from('{nope'), false))).toBe(1007);
    expect(code(() => decodeFrame('2.0.0', Buffer.from('{"topic":"t"}'), false))).toBe(1007);
    expect(code(() => decodeFrame('1.0.0', Buffer.from('["1","1","t","e",{}]'), false))).toBe(1007);
    expect(code(() => decodeFrame('2.0.0', Buffer.from('[null,"1","t","e","not an object"]'), false))).toBe(1007);
    expect(code(() => decodeFrame('1.0.0', Buffer.from([3, 0]), true))).toBe(1003);
    expect(code(() => decodeFrame('2.0.0', Buffer.from([0, 0, 0, 0, 0]), true))).toBe(1003);
    expect(code(() => decodeFrame('2.0.0', Buffer.from([3, 9, 0, 0, 0, 0, 1]), true))).toBe(1007);
  });
});

describe('presence diffs applied by Phoenix Presence', () => {
  const apply = (state: PresenceState, diff: PresenceDiff | null) => (diff ? (Presence.syncDiff(state as never, diff as never, () => {}, () => {}) as unknown as PresenceState) : state);
  const payloads = (state: PresenceState) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v.metas.map(({ phx_ref: _r, phx_ref_prev: _p, ...rest }) => rest)]));

  it('tracks, updates, shares a key between two channels, untracks, and matches the server state', () => {
    const registry = new PresenceRegistry();
    let client: PresenceState = {};
    client = apply(client, registry.track('t', 1, 'alice', { status: 'online' }));
    client = apply(client, registry.track('t', 2, 'alice', { status: 'online', device: 'phone' }));
    client = apply(client, registry.track('t', 3, 'bob', { status: 'online' }));
    expect(registry.track('t', 3, 'bob', { status: 'online' })).toBeNull();
    client = apply(client, registry.track('t', 1, 'alice', { status: 'away' }));
    expect(payloads(client)).toEqual({ alice: [{ status: 'online', device: 'phone' }, { status: 'away' }], bob: [{ status: 'online' }] });
    client = apply(client, registry.untrack('t', 2));
    client = apply(client, registry.untrack('t', 3));
    expect(registry.untrack('t', 3)).toBeNull();
    expect(payloads(client)).toEqual({ alice: [{ status: 'away' }] });
    const fresh = Presence.syncState({}, registry.state('t') as never, () => {}, () => {}) as unknown as PresenceState;
    expect(payloads(fresh)).toEqual(payloads(client));
    expect(registry.state('other')).toEqual({});
  });
});
