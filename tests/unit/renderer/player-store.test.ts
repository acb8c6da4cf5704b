import { describe, expect, it } from 'vitest';
import { playedKey, PlayerStore, SPEED_KEY, type VoiceNote } from '../../../src/renderer/audio/player-store';
import { handlePlayerKey } from '../../../src/renderer/audio/player';
import { FakeMediaElement, MemoryStorage } from './fake-media-element';

const ME = 'reader-1';
const CLIENT = 'client-1';
const S1 = 'session-1';
const S2 = 'session-2';

const note = (id: string, minute: number, extra: Partial<VoiceNote> = {}): VoiceNote => ({
  id,
  sessionId: S1,
  senderId: CLIENT,
  createdAt: new Date(Date.UTC(2026, 0, 5, 9, minute)).toISOString(),
  storagePath: `${S1}/${id}/v.webm`,
  mimeType: 'audio/webm',
  durationMs: 20_000,
  ...extra,
});

function setup(storage = new MemoryStorage()) {
  const media = new FakeMediaElement();
  const released: string[] = [];
  const store = new PlayerStore({
    media,
    storage,
    resolveUrl: async (n) => `media://${n.storagePath}`,
    releaseUrl: (url) => released.push(url),
    toError: () => ({ code: 'x', messageKey: 'errors.unknown' }),
  });
  store.setUser(ME);
  return { media, store, storage, released };
}

describe('the one voice player', () => {
  it('plays one note at a time: starting another stops the first, through the one media element', async () => {
    const { media, store, released } = setup();
    const a = note('a', 1);
    const b = note('b', 2, { sessionId: S2 });
    await store.play(a);
    expect(store.getState()).toMatchObject({ note: { id: 'a' }, playing: true });
    expect(media.src).toBe(`media://${a.storagePath}`);
    await store.play(b);
    expect(store.getState()).toMatchObject({ note: { id: 'b' }, playing: true });
    expect(store.isCurrent('a')).toBe(false);
    expect(media.src).toBe(`media://${b.storagePath}`);
    expect(released).toEqual([`media://${a.storagePath}`]);
  });

  it('toggles: the same note pauses and resumes where it was; close forgets it', async () => {
    const { media, store } = setup();
    const a = note('a', 1);
    await store.toggle(a);
    media.advanceTo(7);
    await store.toggle(a);
    expect(store.getState()).toMatchObject({ playing: false, position: 7 });
    await store.toggle();
    expect(store.getState().playing).toBe(true);
    expect(media.currentTime).toBe(7);
    store.close();
    expect(store.getState().note).toBeNull();
    expect(media.paused).toBe(true);
  });

  it('at the end plays the next unplayed note of the session, skipping played ones and the user\'s own', async () => {
    const { media, store } = setup();
    const [a, b, mine, c] = [note('a', 1), note('b', 2), note('mine', 3, { senderId: ME }), note('c', 4)];
    store.knowSession(S1, [c, mine, b, a]);
    await store.play(b);
    await store.play(a);
    media.reachEnd(20);
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(store.getState()).toMatchObject({ note: { id: 'c' }, playing: true });
    expect(store.getState().announcement).toMatchObject({ kind: 'next', noteId: 'c' });
    media.reachEnd(20);
    await Promise.resolve();
    expect(store.getState()).toMatchObject({ note: { id: 'c' }, playing: false });
    expect(store.getState().announcement?.kind).toBe('finished');
  });

  it('remembers played notes per user across restarts', async () => {
    const storage = new MemoryStorage();
    const first = setup(storage);
    await first.store.play(note('a', 1));
    expect(JSON.parse(storage.getItem(playedKey(ME))!)).toEqual(['a']);
    const again = setup(storage);
    expect(again.store.isPlayed(note('a', 1))).toBe(true);
    again.store.setUser('someone-else');
    expect(again.store.isPlayed(note('a', 1))).toBe(false);
  });

  it('keeps the chosen speed for the next notes (a new source resets the element\'s rate) and across restarts', async () => {
    const storage = new MemoryStorage();
    const { media, store } = setup(storage);
    store.setSpeed(1.5);
    await store.play(note('a', 1));
    expect(media.playbackRate).toBe(1.5);
    await store.play(note('b', 2));
    expect(media.playbackRate).toBe(1.5);
    expect(storage.getItem(SPEED_KEY)).toBe('1.5');
    const restarted = setup(storage);
    expect(restarted.store.getState().speed).toBe(1.5);
    await restarted.store.play(note('c', 3));
    expect(restarted.media.playbackRate).toBe(1.5);
    expect(() => store.setSpeed(3)).toThrow(/one of/);
  });

  it('keys: space and k toggle, arrows and j/l move 5 s (clamped), < and > step the speed', async () => {
    const { media, store } = setup();
    const a = note('a', 1);
    const key = (k: string) => handlePlayerKey(store, { key: k, ctrlKey: false, metaKey: false, altKey: false }, a);
    expect(key(' ')).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(store.getState().playing).toBe(true);
    media.advanceTo(10);
    key('ArrowRight');
    expect(media.currentTime).toBe(15);
    key('j');
    key('J');
    expect(media.currentTime).toBe(5);
    key('ArrowLeft');
    key('ArrowLeft');
    expect(media.currentTime).toBe(0);
    for (let i = 0; i < 10; i += 1) key('l');
    expect(media.currentTime).toBe(20);
    key('>');
    expect(store.getState().speed).toBe(1.25);
    key('<');
    key('<');
    expect(store.getState().speed).toBe(0.75);
    expect(key('x')).toBe(false);
    expect(handlePlayerKey(store, { key: 'k', ctrlKey: true, metaKey: false, altKey: false }, a)).toBe(false);
    key('k');
    expect(store.getState().playing).toBe(false);
  });

  it('a failed download is shown on the note and plays nothing', async () => {
    const media = new FakeMediaElement();
    const store = new PlayerStore({
      media,
      storage: new MemoryStorage(),
      resolveUrl: () => Promise.reject(new Error('offline')),
      toError: () => ({ code: 'backend.unavailable', messageKey: 'errors.backend.unavailable' }),
    });
    await store.play(note('a', 1));
    expect(store.getState()).toMatchObject({ note: { id: 'a' }, playing: false, loading: false, error: { code: 'backend.unavailable' } });
    expect(media.paused).toBe(true);
  });
});
