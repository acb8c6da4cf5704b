// The storage port the consolidation works through, with two adapters:
// - folder: {dir}/{bucket}/{path} — the embedded backend's layout, and what the tests use;
// - Supabase Storage API (service-role key: this is an admin tool run by the database admins).
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

export interface ObjectInfo {
  size: number;
}

export interface StoragePort {
  readonly kind: 'folder' | 'supabase';
  /** Whether the adapter itself records objects in storage.objects (the Storage API does). */
  readonly writesObjectRows: boolean;
  listBuckets(): Promise<string[]>;
  /** Every object of a bucket, by path. */
  list(bucket: string): Promise<Map<string, ObjectInfo>>;
  read(bucket: string, objectPath: string): Promise<Buffer>;
  write(bucket: string, objectPath: string, data: Buffer, contentType: string | null): Promise<void>;
  remove(bucket: string, objectPath: string): Promise<void>;
  removeBucket(bucket: string): Promise<void>;
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Runs f over items with at most `limit` in flight (storage round trips dominate), keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await f(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  // Settle every worker before reporting a failure, so nothing is still writing during cleanup.
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return out;
}

export const STORAGE_CONCURRENCY = Number(process.env.CONSOLIDATE_STORAGE_CONCURRENCY ?? 8);

function insideRoot(root: string, ...parts: string[]): string {
  const full = path.resolve(root, ...parts);
  if (full !== root && !full.startsWith(root + path.sep)) throw new Error(`object path escapes the storage folder: ${parts.join('/')}`);
  return full;
}

export class FolderStorage implements StoragePort {
  readonly kind = 'folder' as const;
  readonly writesObjectRows = false;
  private readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }
  async listBuckets(): Promise<string[]> {
    try {
      return (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }
  async list(bucket: string): Promise<Map<string, ObjectInfo>> {
    const out = new Map<string, ObjectInfo>();
    const base = insideRoot(this.root, bucket);
    const walk = async (dir: string, prefix: string) => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), rel);
        else if (e.isFile()) out.set(rel, { size: (await stat(path.join(dir, e.name))).size });
      }
    };
    await walk(base, '');
    return out;
  }
  read(bucket: string, objectPath: string): Promise<Buffer> {
    return readFile(insideRoot(this.root, bucket, objectPath));
  }
  async write(bucket: string, objectPath: string, data: Buffer): Promise<void> {
    const file = insideRoot(this.root, bucket, objectPath);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
  }
  async remove(bucket: string, objectPath: string): Promise<void> {
    const file = insideRoot(this.root, bucket, objectPath);
    await rm(file, { force: true });
    // Empty folders are an artefact of this layout, not objects: tidy them up to the bucket root.
    let dir = path.dirname(file);
    const bucketRoot = insideRoot(this.root, bucket);
    while (dir.startsWith(bucketRoot + path.sep)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }
  async removeBucket(bucket: string): Promise<void> {
    const left = await this.list(bucket);
    if (left.size) throw new Error(`bucket ${bucket} is not empty (${left.size} objects)`);
    await rm(insideRoot(this.root, bucket), { recursive: true, force: true });
  }
}

/**
 * Supabase Storage over its HTTP API. Listing reads storage.objects through the database connection
 * (the API lists one folder level at a time; the table is the Storage service's own index).
 * Not exercised by the tests here (no Supabase project is reachable); kept thin on purpose.
 */
export class SupabaseStorage implements StoragePort {
  readonly kind = 'supabase' as const;
  readonly writesObjectRows = true;
  constructor(private readonly url: string, private readonly serviceKey: string, private readonly db: pg.ClientBase) {}
  private headers(extra: Record<string, string> = {}) {
    return { Authorization: `Bearer ${this.serviceKey}`, apikey: this.serviceKey, ...extra };
  }
  private objectUrl(bucket: string, objectPath: string) {
    return `${this.url.replace(/\/$/, '')}/storage/v1/object/${encodeURIComponent(bucket)}/${objectPath.split('/').map(encodeURIComponent).join('/')}`;
  }
  private async check(res: Response, what: string) {
    if (!res.ok) throw new Error(`Supabase Storage ${what}: HTTP ${res.status} ${await res.text()}`);
  }
  async listBuckets(): Promise<string[]> {
    const r = await this.db.query<{ id: string }>('select id from storage.buckets');
    return r.rows.map((x) => x.id);
  }
  async list(bucket: string): Promise<Map<string, ObjectInfo>> {
    const r = await this.db.query<{ name: string; size: string | null }>(
      `select name, metadata ->> 'size' as size from storage.objects where bucket_id = $1`, [bucket]);
    return new Map(r.rows.map((x) => [x.name, { size: Number(x.size ?? -1) }]));
  }
  async read(bucket: string, objectPath: string): Promise<Buffer> {
    const res = await fetch(`${this.objectUrl(bucket, objectPath).replace('/object/', '/object/authenticated/')}`, { headers: this.headers() });
    await this.check(res, `download ${bucket}/${objectPath}`);
    return Buffer.from(await res.arrayBuffer());
  }
  async write(bucket: string, objectPath: string, data: Buffer, contentType: string | null): Promise<void> {
    const res = await fetch(this.objectUrl(bucket, objectPath), {
      method: 'POST',
      headers: this.headers({ 'content-type': contentType ?? 'application/octet-stream', 'x-upsert': 'true' }),
      body: new Uint8Array(data),
    });
    await this.check(res, `upload ${bucket}/${objectPath}`);
  }
  async remove(bucket: string, objectPath: string): Promise<void> {
    const res = await fetch(this.objectUrl(bucket, objectPath), { method: 'DELETE', headers: this.headers() });
    if (res.status !== 404) await this.check(res, `delete ${bucket}/${objectPath}`);
  }
  async removeBucket(bucket: string): Promise<void> {
    const res = await fetch(`${this.url.replace(/\/$/, '')}/storage/v1/bucket/${encodeURIComponent(bucket)}`, { method: 'DELETE', headers: this.headers() });
    await this.check(res, `delete bucket ${bucket}`);
  }
}

export function storageFromOptions(opts: { storageDir?: string | undefined }, db: pg.ClientBase): StoragePort {
  if (opts.storageDir) return new FolderStorage(opts.storageDir);
  const url = process.env.SUPABASE_URL;
  const key = process.env.SUPABASE_SERVICE_ROLE_KEY;
  if (url && key) return new SupabaseStorage(url, key, db);
  throw new Error('No storage given: pass --storage-dir DIR (folder laid out as {bucket}/{path}) or set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY');
}
