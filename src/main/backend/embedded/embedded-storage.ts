import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/ipc/errors';
import type { EmbeddedDatabase, UserClaims } from './embedded-database';

const BUCKET = 'chat-files';

/**
 * Supabase Storage, embedded: bytes on disk under the data folder, the object's row in `storage.objects`
 * written and read under the user's claims, so the same storage policies decide who may upload or read.
 * The bucket's `allowed_mime_types` and `file_size_limit` are enforced here, as Storage's API does.
 */
export class EmbeddedStorage {
  constructor(
    private readonly database: EmbeddedDatabase,
    private readonly rootDir: string,
  ) {}

  private fileFor(objectName: string): string {
    const root = path.resolve(this.rootDir, BUCKET);
    const file = path.resolve(root, objectName);
    if (!file.startsWith(root + path.sep) || objectName.includes('\0')) {
      throw new AppError({ code: 'storage.invalid_path', messageKey: 'errors.storage.invalid_path' }, { permanent: true });
    }
    return file;
  }

  async upload(claims: UserClaims, objectName: string, bytes: Uint8Array, mimeType: string): Promise<void> {
    const file = this.fileFor(objectName);
    const [bucket] = (
      await this.database.asService((sql) =>
        sql.query<{ file_size_limit: string | null; allowed_mime_types: string[] | null }>(
          'select file_size_limit, allowed_mime_types from storage.buckets where id = $1',
          [BUCKET],
        ),
      )
    ).rows;
    if (!bucket) throw new Error(`Storage bucket ${BUCKET} is missing: the migrations were not applied.`);
    if (bucket.file_size_limit !== null && bytes.byteLength > Number(bucket.file_size_limit)) {
      throw new AppError(
        { code: 'storage.too_large', messageKey: 'errors.storage.too_large' },
        { permanent: true, params: { size: bytes.byteLength, limit: Number(bucket.file_size_limit) } },
      );
    }
    const mime = mimeType.toLowerCase().split(';')[0]!.trim();
    if (bucket.allowed_mime_types && !bucket.allowed_mime_types.some((allowed) => allowed.toLowerCase() === mime || allowed.toLowerCase() === mimeType.toLowerCase())) {
      throw new AppError({ code: 'storage.mime_not_allowed', messageKey: 'errors.storage.mime_not_allowed' }, { permanent: true, params: { mimeType } });
    }
    await mkdir(path.dirname(file), { recursive: true });
    const staging = `${file}.${randomUUID()}.part`;
    // The row is inserted under the user's rights inside the transaction; the bytes land in place before it commits,
    // so a committed row always has its file. A crash can leave an orphan file, never a row without bytes.
    await this.database.asUser(claims, async (sql) => {
      await sql.query(
        `insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
         values ($1, $2, $3::uuid, $3, jsonb_build_object('size', $4::bigint, 'mimetype', $5::text))`,
        [BUCKET, objectName, claims.sub, bytes.byteLength, mimeType],
      );
      const handle = await open(staging, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(staging, file);
    }).catch(async (error: unknown) => {
      await rm(staging, { force: true });
      if ((error as { code?: unknown }).code === '23505') {
        // Storage answers a second upload to the same name with "already exists"; so does this.
        throw new AppError({ code: 'storage.already_exists', messageKey: 'errors.storage.already_exists' }, { permanent: true, cause: error });
      }
      throw error;
    });
  }

  async download(claims: UserClaims, objectName: string): Promise<Uint8Array> {
    const visible = await this.database.asUser(claims, (sql) =>
      sql.query('select 1 from storage.objects where bucket_id = $1 and name = $2', [BUCKET, objectName]),
    );
    if (visible.rows.length === 0) {
      // Same answer for "does not exist" and "not yours to see", as Storage gives.
      throw new AppError({ code: 'storage.not_found', messageKey: 'errors.storage.not_found' }, { permanent: true });
    }
    return new Uint8Array(await readFile(this.fileFor(objectName)));
  }
}
