import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLocalStore, ReviewPackError, type LocalStore, type ServerMessage } from '../../../src/main/store';
import { SESSION_A, SESSION_B, SENDER, tempDir } from '../outbox/support';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));
function store(): { s: LocalStore; root: string } {
  const dir = tempDir('review-');
  const s = openLocalStore({ directory: join(dir.path, 'u'), now: () => 42 });
  cleanups.push(() => dir.remove(), () => s.close());
  return { s, root: join(dir.path, 'u') };
}

const note = (n: number, overrides: Partial<ServerMessage> = {}): ServerMessage => ({
  id: `11111111-1111-4111-8111-${String(n).padStart(12, '0')}`,
  sessionId: n % 2 ? SESSION_A : SESSION_B,
  senderId: SENDER,
  type: 'audio',
  body: null,
  storagePath: `${SESSION_A}/${n}/voice.ogg`,
  mimeType: 'audio/ogg',
  sizeBytes: 4,
  durationMs: 3000 + n,
  waveform: [0.1, 0.9],
  replyTo: null,
  status: 'pending_approval',
  clientMessageId: null,
  createdAt: `2025-01-0${n}T10:00:00+00:00`,
  editedAt: null,
  reviewedBy: null,
  reviewedAt: null,
  reviewReason: null,
  ...overrides,
});

describe('ReviewPacks', () => {
  it('stores a pack: metadata in SQLite, audio on disk, listed for offline review', async () => {
    const { s } = store();
    const result = await s.reviewPacks.importPack({
      id: 'pack-2025-01',
      label: 'January',
      items: [1, 2, 3].map((n) => ({ message: note(n), senderName: `Reader ${n}`, audio: new Uint8Array([n, n, n, n]) })),
    });
    expect(result).toEqual({ imported: 3, alreadyHeld: 0 });
    expect(s.reviewPacks.packs()).toEqual([
      { id: 'pack-2025-01', label: 'January', downloadedAt: 42, total: 3, pending: 3, decided: 0, applied: 0, superseded: 0 },
    ]);
    const items = s.reviewPacks.items('pack-2025-01');
    expect(items.map((i) => [i.senderName, i.durationMs, i.state])).toEqual([
      ['Reader 1', 3001, 'pending'],
      ['Reader 2', 3002, 'pending'],
      ['Reader 3', 3003, 'pending'],
    ]);
    expect(readFileSync(items[1]!.audioPath)).toEqual(Buffer.from([2, 2, 2, 2]));
  });

  it('keeps an item already held from an earlier pack as it is (its local decision included)', async () => {
    const { s } = store();
    await s.reviewPacks.importPack({ id: 'p1', label: 'one', items: [{ message: note(1), senderName: null, audio: new Uint8Array([1]) }] });
    s.reviewPacks.markDecided(note(1).id, 'approve', null, 'cmid');
    const again = await s.reviewPacks.importPack({
      id: 'p2',
      label: 'two',
      items: [1, 2].map((n) => ({ message: note(n), senderName: null, audio: new Uint8Array([n]) })),
    });
    expect(again).toEqual({ imported: 1, alreadyHeld: 1 });
    expect(s.reviewPacks.item(note(1).id)).toMatchObject({ packId: 'p1', state: 'decided' });
  });

  it('refuses malformed packs before writing anything', async () => {
    const { s, root } = store();
    const bad = (overrides: Partial<ServerMessage>, audio = new Uint8Array([1])) =>
      s.reviewPacks.importPack({ id: 'p', label: 'x', items: [{ message: note(1, overrides), senderName: null, audio }] });
    await expect(bad({ type: 'text' })).rejects.toThrow(/only voice notes/);
    await expect(bad({ id: '../../escape' })).rejects.toThrow(/malformed/);
    await expect(bad({}, new Uint8Array())).rejects.toThrow(/audio bytes are missing/);
    await expect(bad({ createdAt: 'not a time' })).rejects.toThrow(/ISO 8601/);
    await expect(s.reviewPacks.importPack({ id: '../p', label: 'x', items: [] })).rejects.toBeInstanceOf(ReviewPackError);
    expect(s.reviewPacks.packs()).toEqual([]);
    expect(existsSync(join(root, 'review-packs', 'p'))).toBe(false);
  });

  it('removes a settled pack and its audio files', async () => {
    const { s, root } = store();
    await s.reviewPacks.importPack({ id: 'p', label: 'x', items: [{ message: note(1), senderName: null, audio: new Uint8Array([1]) }] });
    s.reviewPacks.markDecided(note(1).id, 'reject', 'not allowed', 'cmid');
    s.reviewPacks.recordSettlement(note(1).id, { outcome: 'applied', decision: 'reject', reviewedAt: '2025-02-01T00:00:00Z' });
    await s.reviewPacks.removePack('p');
    expect(s.reviewPacks.packs()).toEqual([]);
    expect(s.reviewPacks.item(note(1).id)).toBeNull();
    expect(existsSync(join(root, 'review-packs', 'p'))).toBe(false);
  });
});
