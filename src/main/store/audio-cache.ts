import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalDatabase } from './local-database';

export class AudioCacheError extends Error {
  constructor(
    readonly code: 'audio_cache.too_large' | 'audio_cache.invalid_input',
    message: string,
  ) {
    super(message);
    this.name = 'AudioCacheError';
  }
}

export interface AudioCacheOptions {
  directory: string;
  maxBytes: number;
  now: () => number;
}

/**
 * Downloaded voice notes and other media, by storage path, capped in total
 * size with least-recently-used eviction. The index lives in SQLite, the
 * bytes in files named by a hash of the storage path. It is a cache: a file
 * lost in a crash is simply fetched again, so writes are not fsynced; `get`
 * checks the file still matches the index before handing it out.
 * Review-pack audio is NOT stored here: it must not be evicted before the
 * decision syncs (see review-packs.ts).
 */
export class AudioCache {
  private accessSeq: number;
  private readonly directory: string;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(
    private readonly database: LocalDatabase,
    options: AudioCacheOptions,
  ) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes <= 0) {
      throw new AudioCacheError('audio_cache.invalid_input', `The audio cache size cap must be a positive integer of bytes, got ${options.maxBytes}`);
    }
    this.directory = options.directory;
    this.maxBytes = options.maxBytes;
    this.now = options.now;
    mkdirSync(this.directory, { recursive: true });
    this.accessSeq =
      this.database.statement<[], { s: number | null }>('SELECT max(access_seq) AS s FROM audio_cache').get()?.s ?? 0;
    this.removeOrphanFiles();
  }

  /** Absolute path of the cached file, or null when it is not (or no longer) cached. Counts as a use for LRU. */
  async get(storagePath: string): Promise<string | null> {
    const row = this.database
      .statement<[string], { file_name: string; size_bytes: number }>('SELECT file_name, size_bytes FROM audio_cache WHERE storage_path = ?')
      .get(storagePath);
    if (!row) return null;
    const filePath = join(this.directory, row.file_name);
    const size = await stat(filePath).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== row.size_bytes) {
      this.database.statement('DELETE FROM audio_cache WHERE storage_path = ?').run(storagePath);
      await unlink(filePath).catch(() => undefined);
      return null;
    }
    this.database
      .statement('UPDATE audio_cache SET last_access_at = ?, access_seq = ? WHERE storage_path = ?')
      .run(this.now(), ++this.accessSeq, storagePath);
    return filePath;
  }

  /** Stores the bytes for `storagePath`, evicts least recently used entries above the cap, and returns the file's path. */
  async put(storagePath: string, bytes: Uint8Array): Promise<string> {
    if (typeof storagePath !== 'string' || storagePath.length === 0) {
      throw new AudioCacheError('audio_cache.invalid_input', 'A storage path is required to cache a file');
    }
    if (bytes.byteLength > this.maxBytes) {
      throw new AudioCacheError(
        'audio_cache.too_large',
        `A ${bytes.byteLength}-byte file cannot fit in an audio cache capped at ${this.maxBytes} bytes`,
      );
    }
    const fileName = createHash('sha256').update(storagePath).digest('hex');
    const filePath = join(this.directory, fileName);
    const tmpPath = `${filePath}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmpPath, bytes);
    await rename(tmpPath, filePath);
    this.database
      .statement(
        `INSERT INTO audio_cache (storage_path, file_name, size_bytes, last_access_at, access_seq) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (storage_path) DO UPDATE SET size_bytes = excluded.size_bytes, last_access_at = excluded.last_access_at,
           access_seq = excluded.access_seq`,
      )
      .run(storagePath, fileName, bytes.byteLength, this.now(), ++this.accessSeq);
    await this.evict();
    return filePath;
  }

  get totalBytes(): number {
    return this.database.statement<[], { t: number | null }>('SELECT sum(size_bytes) AS t FROM audio_cache').get()?.t ?? 0;
  }

  private async evict(): Promise<void> {
    const victims = this.database.transaction(() => {
      let total = this.totalBytes;
      const chosen: string[] = [];
      if (total <= this.maxBytes) return chosen;
      const oldest = this.database
        .statement<[], { storage_path: string; file_name: string; size_bytes: number }>(
          'SELECT storage_path, file_name, size_bytes FROM audio_cache ORDER BY access_seq',
        )
        .iterate();
      const toDelete: string[] = [];
      for (const row of oldest) {
        if (total <= this.maxBytes) break;
        toDelete.push(row.storage_path);
        chosen.push(row.file_name);
        total -= row.size_bytes;
      }
      const del = this.database.statement('DELETE FROM audio_cache WHERE storage_path = ?');
      for (const path of toDelete) del.run(path);
      return chosen;
    });
    // A crash before these unlinks leaves orphans, which the next start removes.
    await Promise.all(victims.map((name) => unlink(join(this.directory, name)).catch(() => undefined)));
  }

  private removeOrphanFiles(): void {
    const known = new Set(
      this.database
        .statement<[], { file_name: string }>('SELECT file_name FROM audio_cache')
        .all()
        .map((r) => r.file_name),
    );
    for (const name of readdirSync(this.directory)) {
      if (!known.has(name)) {
        try {
          unlinkSync(join(this.directory, name));
        } catch {
          // In use elsewhere (Windows) or already gone: the next start tries again.
        }
      }
    }
  }
}
