import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The outbox's own copies of attachments and voice notes. A file is written
 * to a temporary name, fsynced, renamed to its final name and the folder
 * fsynced, all before the outbox row commits: once the row says "queued",
 * the bytes it points at are on disk too, even after a power cut.
 */
export class OutboxFiles {
  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true });
  }

  pathOf(fileName: string): string {
    return join(this.directory, fileName);
  }

  /** Returns the number of bytes now on disk. */
  async writeDurably(fileName: string, source: { bytes: Uint8Array } | { sourcePath: string }): Promise<number> {
    const target = this.pathOf(fileName);
    const tmp = `${target}.tmp`;
    let size: number;
    try {
      if ('bytes' in source) {
        size = source.bytes.byteLength;
        const handle = await open(tmp, 'w');
        try {
          await handle.writeFile(source.bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        await copyFile(source.sourcePath, tmp);
        const handle = await open(tmp, 'r+');
        try {
          await handle.sync();
          size = (await handle.stat()).size;
        } finally {
          await handle.close();
        }
      }
      await rename(tmp, target);
      await this.syncDirectory();
      return size;
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }

  async remove(fileName: string): Promise<void> {
    await unlink(this.pathOf(fileName)).catch(() => undefined);
  }

  /** Deletes files no unsent row needs: leftovers of crashes between file and row, or after "sent". */
  removeAllExcept(inUse: ReadonlySet<string>): number {
    let removed = 0;
    for (const name of readdirSync(this.directory)) {
      if (inUse.has(name)) continue;
      try {
        unlinkSync(join(this.directory, name));
        removed++;
      } catch {
        // Locked or already gone: the next start tries again.
      }
    }
    return removed;
  }

  private async syncDirectory(): Promise<void> {
    // Makes the rename itself durable. Windows cannot open a directory for fsync; NTFS journals the rename.
    if (process.platform === 'win32') return;
    const dir = await open(this.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
