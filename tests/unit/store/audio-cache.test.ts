import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AudioCacheError, openLocalStore, type LocalStore } from '../../../src/main/store';
import { tempDir } from '../outbox/support';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

function open(maxBytes: number, dir = tempDir('audio-cache-')): { s: LocalStore; dir: ReturnType<typeof tempDir>; clock: { t: number } } {
  const clock = { t: 1000 };
  const s = openLocalStore({ directory: join(dir.path, 'u'), audioCacheMaxBytes: maxBytes, now: () => clock.t });
  cleanups.push(() => s.close());
  return { s, dir, clock };
}

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe('AudioCache', () => {
  it('returns the cached file path, or null when not cached', async () => {
    const { s, dir } = open(10_000);
    cleanups.push(() => dir.remove());
    expect(await s.audioCache.get('sess/msg/a.ogg')).toBeNull();
    const path = await s.audioCache.put('sess/msg/a.ogg', bytes(100, 7));
    expect(await s.audioCache.get('sess/msg/a.ogg')).toBe(path);
    expect(readFileSync(path)).toEqual(Buffer.from(bytes(100, 7)));
  });

  it('evicts the least recently USED entries once the cap is exceeded', async () => {
    const { s, dir } = open(1000);
    cleanups.push(() => dir.remove());
    const a = await s.audioCache.put('a', bytes(300));
    await s.audioCache.put('b', bytes(300));
    await s.audioCache.put('c', bytes(300));
    expect(await s.audioCache.get('a')).toBe(a); // a is now more recent than b
    await s.audioCache.put('d', bytes(300));
    expect(await s.audioCache.get('b')).toBeNull();
    expect(await s.audioCache.get('a')).not.toBeNull();
    expect(await s.audioCache.get('c')).not.toBeNull();
    expect(await s.audioCache.get('d')).not.toBeNull();
    expect(s.audioCache.totalBytes).toBe(900);
    await s.audioCache.put('e', bytes(700));
    // uses since the last eviction: a, c, d; 700 more bytes need a and c to go, d stays
    expect(s.audioCache.totalBytes).toBe(1000);
    expect((await Promise.all(['a', 'c', 'd', 'e'].map((k) => s.audioCache.get(k)))).map((p) => p !== null)).toEqual([false, false, true, true]);
    expect(readdirSync(join(dir.path, 'u', 'audio-cache'))).toHaveLength(2);
  });

  it('replaces an entry put twice and counts its size once', async () => {
    const { s, dir } = open(1000);
    cleanups.push(() => dir.remove());
    await s.audioCache.put('a', bytes(400, 1));
    const path = await s.audioCache.put('a', bytes(500, 2));
    expect(s.audioCache.totalBytes).toBe(500);
    expect(readFileSync(path)[0]).toBe(2);
  });

  it('refuses a file larger than the whole cache with a clear error', async () => {
    const { s, dir } = open(1000);
    cleanups.push(() => dir.remove());
    await expect(s.audioCache.put('huge', bytes(1001))).rejects.toBeInstanceOf(AudioCacheError);
    await expect(s.audioCache.put('', bytes(1))).rejects.toMatchObject({ code: 'audio_cache.invalid_input' });
  });

  it('drops an entry whose file vanished or was cut short, and cleans stray files on open', async () => {
    const dir = tempDir('audio-cache-');
    cleanups.push(() => dir.remove());
    const { s } = open(10_000, dir);
    const gone = await s.audioCache.put('gone', bytes(10));
    const cut = await s.audioCache.put('cut', bytes(10));
    const kept = await s.audioCache.put('kept', bytes(10));
    truncateSync(cut, 3);
    writeFileSync(gone, '');
    expect(await s.audioCache.get('gone')).toBeNull();
    expect(await s.audioCache.get('cut')).toBeNull();
    expect(existsSync(cut)).toBe(false);
    writeFileSync(join(dir.path, 'u', 'audio-cache', 'stray.tmp'), 'x');
    s.close();
    const { s: again } = open(10_000, dir);
    expect(readdirSync(join(dir.path, 'u', 'audio-cache')).sort()).toEqual([kept.split('/').pop()]);
    expect(await again.audioCache.get('kept')).toBe(kept);
  });

  it('LRU order survives a restart', async () => {
    const dir = tempDir('audio-cache-');
    cleanups.push(() => dir.remove());
    const first = open(1000, dir);
    await first.s.audioCache.put('old', bytes(400));
    await first.s.audioCache.put('new', bytes(400));
    await first.s.audioCache.get('old');
    first.s.close();
    const second = open(1000, dir);
    await second.s.audioCache.put('third', bytes(400));
    expect(await second.s.audioCache.get('new')).toBeNull();
    expect(await second.s.audioCache.get('old')).not.toBeNull();
  });
});
