import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { csvBytes } from './csv-writer';

/**
 * Writes a CSV document where the user chose to save it: to a temporary file beside it first, then renamed over
 * the target, so an existing file is replaced whole or not at all (a full disk never leaves half a report).
 */
export async function writeCsvFile(filePath: string, csv: string): Promise<void> {
  const temporary = `${filePath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, csvBytes(csv), { flag: 'wx' });
    await rename(temporary, filePath);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
