import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { signJwt, verifyJwt } from './jwt';
import type { PlatformDatabase, RequestClaims, Sql } from './platform-database';
import { requestClaims, requestToken } from './request-claims';
import { BodyTooLargeError, ClientAbortedError, isPlainObject, parseJson, pgError, readBody, sendJson, type ApiRequest } from './http-util';

/**
 * `/storage/v1`: Supabase Storage's object API as @supabase/storage-js calls it. The object's row in
 * `storage.objects` is written and read in a transaction under the caller's role and claims, so the storage
 * policies of the migrations decide who may upload, read or remove what. The bytes live under `storageDir`,
 * one file per object version, written and fsynced (then renamed into place) before the row commits: a
 * committed row always has its bytes; a crash can leave an orphan file, never a row without bytes.
 *
 * Errors are Storage's: `{ statusCode, code, error, message }` with `statusCode` the meaning ("404", "409",
 * "413", "415", "403") and the HTTP status 400 (500 for server faults, 416 for a bad range), exactly as the
 * hosted Storage API answers them.
 */

export interface StorageApiOptions {
  database: PlatformDatabase;
  jwtSecret: string;
  storageDir: string;
  /** Storage's global FILE_SIZE_LIMIT (a bucket's own limit can only lower it). */
  uploadFileSizeLimit: number;
  log: (message: string) => void;
}

// Storage's rules for names (limits.ts): S3-safe characters only.
const VALID_OBJECT_KEY = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;
const VALID_BUCKET_NAME = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;
const MAX_OBJECTS_PER_REQUEST = 1000;
// A multipart upload carries a little more than the file: its boundaries and the small form fields.
const MULTIPART_OVERHEAD = 1 << 20;
const JSON_BODY_LIMIT = 1 << 20;

class StorageError extends Error {
  constructor(
    /** What the error means, as Storage puts it in `statusCode`. */
    readonly statusCode: number,
    readonly code: string,
    readonly error: string,
    message: string,
    /** The HTTP status Storage actually answers with. */
    readonly httpStatus = statusCode >= 500 ? 500 : 400,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

const ERRORS = {
  noSuchKey: () => new StorageError(404, 'NoSuchKey', 'not_found', 'Object not found'),
  noSuchBucket: () => new StorageError(404, 'NoSuchBucket', 'Bucket not found', 'Bucket not found'),
  invalidKey: (key: string) => new StorageError(400, 'InvalidKey', 'InvalidKey', `Invalid key: ${key}`),
  invalidBucketName: () => new StorageError(400, 'InvalidBucketName', 'Invalid Input', 'Bucket name invalid'),
  accessDenied: (message: string, httpStatus?: number) => new StorageError(403, 'AccessDenied', 'Unauthorized', message, httpStatus),
  duplicate: () => new StorageError(409, 'Duplicate', 'Duplicate', 'The resource already exists'),
  tooLarge: (entity = 'object', limit = 'the maximum allowed size') => new StorageError(413, 'EntityTooLarge', 'Payload too large', `The ${entity} exceeded ${limit}`),
  invalidMime: (mime: string) => new StorageError(415, 'InvalidMimeType', 'invalid_mime_type', `mime type ${mime} is not supported`),
  invalidJwt: (message: string) => new StorageError(400, 'InvalidJWT', 'InvalidJWT', message),
  invalidSignature: (message = 'Invalid signature') => new StorageError(400, 'InvalidSignature', 'InvalidSignature', message),
  invalidRange: () => new StorageError(416, 'InvalidRange', 'invalid_range', 'invalid range provided', 416),
  invalidRequest: (message: string) => new StorageError(400, 'InvalidRequest', 'InvalidRequest', message),
  missingParameter: (name: string) => new StorageError(400, 'MissingParameter', 'MissingParameter', `Missing Required Parameter ${name}`),
  internal: (message = 'Internal server error') => new StorageError(500, 'InternalError', 'internal', message),
  notFoundRoute: (method: string, url: string) => new StorageError(404, 'InvalidRequest', 'Not Found', `Route ${method}:${url} not found`, 404),
};

/** jose's wording for the ways a JWT fails, which Storage passes through. */
const JWT_MESSAGES = {
  malformed: 'Invalid Compact JWS',
  bad_signature: 'signature verification failed',
  expired: '"exp" claim timestamp check failed',
} as const;

interface ObjectRow {
  id: string;
  name: string;
  version: string | null;
  metadata: Record<string, unknown> | null;
  updated_at: string | null;
}

/** Storage's validateMimeType: exact type/subtype, or type/* (the value is not normalised, as in Storage). */
function validateMimeType(mimeType: string, allowed: string[]): void {
  const requested = mimeType.split('/');
  if (requested.length < 2) throw ERRORS.invalidMime(mimeType);
  const [type, subtype] = requested;
  for (const entry of allowed) {
    const [allowedType, allowedSubtype] = entry.split('/');
    if (allowedType === type && (allowedSubtype === '*' || allowedSubtype === subtype)) return;
  }
  throw ERRORS.invalidMime(mimeType);
}

/** Storage's parseRangeHeader (one range, `bytes=a-b`, `bytes=a-`, `bytes=-n`). */
function parseRange(header: string, size: number): { start: number; end: number } {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || size <= 0) throw ERRORS.invalidRange();
  const [, startText, endText] = match;
  if (!startText && !endText) throw ERRORS.invalidRange();
  if (!startText) {
    const suffix = Number(endText);
    if (!Number.isSafeInteger(suffix) || suffix <= 0) throw ERRORS.invalidRange();
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(startText);
  const end = endText ? Number(endText) : size - 1;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end || start >= size) throw ERRORS.invalidRange();
  return { start, end: Math.min(end, size - 1) };
}

const iso = (column: string, alias = column) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ${alias}`;

// A staging file older than this belongs to an upload that can no longer finish (the process died mid-way).
const STALE_STAGING_MS = 60 * 60 * 1000;

export class StorageApi {
  constructor(private readonly options: StorageApiOptions) {}

  /** Removes what uploads interrupted by a crash left in the staging folder. */
  async start(): Promise<void> {
    const dir = path.join(this.options.storageDir, 'staging');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const now = Date.now();
    for (const name of names) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => null);
      if (info && now - info.mtimeMs > STALE_STAGING_MS) await rm(file, { force: true }).catch(() => {});
    }
  }

  async handle(api: ApiRequest): Promise<void> {
    try {
      await this.route(api);
    } catch (error) {
      this.sendError(api, error);
    }
  }

  private sendError(api: ApiRequest, error: unknown): void {
    if (api.res.headersSent || error instanceof ClientAbortedError) {
      api.res.destroy();
      return;
    }
    let e: StorageError;
    const headers: Record<string, string> = {};
    if (error instanceof StorageError) e = error;
    else if (error instanceof BodyTooLargeError) {
      e = ERRORS.tooLarge();
      headers.Connection = 'close';
    } else {
      this.options.log(`storage: ${api.method} ${api.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      e = ERRORS.internal();
    }
    const body = { statusCode: String(e.statusCode), code: e.code, error: e.error, message: e.message };
    if (api.method === 'HEAD') {
      api.res.writeHead(e.httpStatus, headers);
      api.res.end();
      return;
    }
    sendJson(api.res, e.httpStatus, body, headers);
  }

  private async route(api: ApiRequest): Promise<void> {
    const { method } = api;
    let segments: string[];
    try {
      segments = api.path.split('/').slice(1).map((s) => decodeURIComponent(s));
    } catch {
      throw ERRORS.invalidRequest('The request path is not valid percent-encoding');
    }
    if (segments[0] !== 'object') throw ERRORS.notFoundRoute(method, api.req.url ?? api.path);
    const rest = segments.slice(1);
    const head = rest[0];
    if ((head === 'authenticated' || head === 'public') && (method === 'GET' || method === 'HEAD')) {
      const [bucket, name] = this.target(rest.slice(1));
      return head === 'public' ? this.downloadPublic(api, bucket, name) : this.download(api, bucket, name);
    }
    if (head === 'sign') {
      if (method === 'POST' && rest.length === 2) return this.signMany(api, this.bucketOnly(rest[1]!));
      const [bucket, name] = this.target(rest.slice(1));
      if (method === 'POST') return this.sign(api, bucket, name);
      if (method === 'GET' || method === 'HEAD') return this.downloadSigned(api, bucket, name);
    }
    if (head === 'info' || head === 'upload' || head === 'list' || head === 'move' || head === 'copy') {
      throw ERRORS.notFoundRoute(method, api.req.url ?? api.path);
    }
    if (method === 'DELETE' && rest.length === 1) return this.removeMany(api, this.bucketOnly(rest[0]!));
    const [bucket, name] = this.target(rest);
    if (method === 'POST') return this.upload(api, bucket, name, api.header('x-upsert') === 'true');
    if (method === 'PUT') return this.upload(api, bucket, name, true);
    if (method === 'GET' || method === 'HEAD') return this.download(api, bucket, name);
    if (method === 'DELETE') return this.removeOne(api, bucket, name);
    throw ERRORS.notFoundRoute(method, api.req.url ?? api.path);
  }

  private bucketOnly(bucket: string): string {
    if (!bucket || bucket.length > 100 || !VALID_BUCKET_NAME.test(bucket)) throw ERRORS.invalidBucketName();
    return bucket;
  }

  /** `<bucket>/<name…>` from the path, both checked against Storage's naming rules. */
  private target(parts: string[]): [string, string] {
    const bucket = this.bucketOnly(parts[0] ?? '');
    const name = parts.slice(1).join('/');
    if (!name || !VALID_OBJECT_KEY.test(name)) throw ERRORS.invalidKey(name);
    return [bucket, name];
  }

  private claims(api: ApiRequest): RequestClaims {
    const verdict = requestClaims(requestToken(api), this.options.jwtSecret);
    if (verdict.ok) return verdict.claims;
    if (verdict.reason === 'role') throw ERRORS.accessDenied('Access denied: Invalid role', 403);
    throw ERRORS.accessDenied(JWT_MESSAGES[verdict.reason]);
  }

  private settings(api: ApiRequest, operation: string): Record<string, string> {
    return { 'request.method': api.method, 'request.path': api.path, 'storage.operation': operation };
  }

  /** Where an object version's bytes live; the name never becomes a path, so it cannot escape the folder. */
  private fileFor(bucket: string, version: string): string {
    if (!/^[0-9a-f-]{36}$/.test(version)) throw ERRORS.internal(`Object version ${JSON.stringify(version)} is not one this server wrote`);
    const folder = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(bucket) ? bucket : `bucket-${Buffer.from(bucket).toString('hex')}`;
    return path.join(this.options.storageDir, 'objects', folder, version);
  }

  private async bucket(bucket: string): Promise<{ file_size_limit: string | null; allowed_mime_types: string[] | null }> {
    const { rows } = await this.options.database.asPlatform((sql) =>
      sql.query<{ file_size_limit: string | null; allowed_mime_types: string[] | null }>(
        'select file_size_limit::text as file_size_limit, allowed_mime_types from storage.buckets where id = $1',
        [bucket],
      ),
    );
    if (!rows[0]) throw ERRORS.noSuchBucket();
    return rows[0];
  }

  // ---- upload --------------------------------------------------------------------------------------------

  private async upload(api: ApiRequest, bucket: string, name: string, upsert: boolean): Promise<void> {
    const claims = this.claims(api);
    const limits = await this.bucket(bucket);
    const bucketLimit = limits.file_size_limit === null ? Infinity : Number(limits.file_size_limit);
    const maxFileSize = Math.min(this.options.uploadFileSizeLimit, bucketLimit);
    const contentType = api.header('content-type') ?? '';
    let bytes: Buffer;
    let mimeType: string;
    let cacheControl: string;
    let userMetadata: Record<string, unknown> | null = null;
    if (contentType.toLowerCase().startsWith('multipart/form-data')) {
      const body = await readBody(api.req, maxFileSize + MULTIPART_OVERHEAD).catch((error: unknown) => {
        throw error instanceof BodyTooLargeError ? ERRORS.tooLarge() : error;
      });
      let form: FormData;
      try {
        const view = new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length);
        form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': contentType }, body: view }).formData();
      } catch (error) {
        throw ERRORS.invalidRequest(error instanceof Error ? error.message : 'No content provided');
      }
      const file = [...form.values()].find((value) => typeof value !== 'string');
      if (file === undefined || typeof file === 'string') throw ERRORS.invalidRequest('No content provided');
      const field = (key: string) => {
        const value = form.get(key);
        return typeof value === 'string' ? value : null;
      };
      mimeType = field('contentType') || file.type || 'text/plain';
      const cacheTime = field('cacheControl');
      cacheControl = cacheTime ? `max-age=${cacheTime}` : 'no-cache';
      const custom = field('metadata') ?? field('userMetadata');
      if (limits.allowed_mime_types?.length) validateMimeType(mimeType, limits.allowed_mime_types);
      if (custom !== null) {
        if (Buffer.byteLength(custom) > JSON_BODY_LIMIT) throw ERRORS.tooLarge('user_metadata');
        const parsed = parseJson(Buffer.from(custom));
        if (parsed.ok && isPlainObject(parsed.value)) userMetadata = parsed.value;
      }
      bytes = Buffer.from(await file.arrayBuffer());
      if (bytes.length > maxFileSize) throw ERRORS.tooLarge();
    } else {
      mimeType = contentType || 'application/octet-stream';
      cacheControl = api.header('cache-control') ?? 'no-cache';
      if (limits.allowed_mime_types?.length) validateMimeType(mimeType, limits.allowed_mime_types);
      const custom = api.header('x-metadata');
      if (custom !== undefined) {
        const parsed = parseJson(Buffer.from(custom, 'base64'));
        if (!parsed.ok || !isPlainObject(parsed.value)) throw ERRORS.invalidRequest('Invalid x-metadata header: it must be base64-encoded JSON');
        userMetadata = parsed.value;
      }
      bytes = await readBody(api.req, maxFileSize).catch((error: unknown) => {
        throw error instanceof BodyTooLargeError ? ERRORS.tooLarge() : error;
      });
    }

    const id = randomUUID();
    const version = randomUUID();
    const metadata = {
      eTag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      size: bytes.length,
      mimetype: mimeType,
      cacheControl,
      lastModified: new Date().toISOString(),
      contentLength: bytes.length,
      httpStatusCode: 200,
    };
    const final = this.fileFor(bucket, version);
    const staging = path.join(this.options.storageDir, 'staging', `${version}.part`);
    await mkdir(path.dirname(staging), { recursive: true });
    await mkdir(path.dirname(final), { recursive: true });
    // The bytes are on disk (and synced) before the transaction opens, so a slow disk never holds the database.
    const handle = await open(staging, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    let replacedVersion: string | null = null;
    try {
      if (upsert) {
        const { rows } = await this.options.database.asPlatform((sql) =>
          sql.query<{ version: string | null }>('select version from storage.objects where bucket_id = $1 and name = $2', [bucket, name]),
        );
        replacedVersion = rows[0]?.version ?? null;
      }
      await this.options.database.asRequest(
        claims,
        async (sql) => {
          const owner = typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
          const values = [id, bucket, name, owner, JSON.stringify(metadata), userMetadata === null ? null : JSON.stringify(userMetadata), version];
          await sql.query(
            `insert into storage.objects (id, bucket_id, name, owner, owner_id, metadata, user_metadata, version)
             values ($1::uuid, $2, $3, $4::uuid, $4, $5::jsonb, $6::jsonb, $7)
             ${upsert ? `on conflict (bucket_id, name) do update
                 set owner = excluded.owner, owner_id = excluded.owner_id, metadata = excluded.metadata,
                     user_metadata = excluded.user_metadata, version = excluded.version,
                     updated_at = now(), last_accessed_at = now()` : ''}`,
            values,
          );
          await rename(staging, final);
          await syncDirectory(path.dirname(final));
        },
        this.settings(api, upsert ? 'storage.object.upload_upsert' : 'storage.object.upload'),
      );
    } catch (error) {
      await rm(staging, { force: true });
      await rm(final, { force: true });
      throw this.databaseError(error);
    }
    if (replacedVersion && replacedVersion !== version) await rm(this.fileFor(bucket, replacedVersion), { force: true }).catch(() => {});
    sendJson(api.res, 200, { Id: id, Key: `${bucket}/${name}` });
  }

  /** Storage's DBError.fromDBError for what a request's transaction can raise. */
  private databaseError(error: unknown): unknown {
    if (error instanceof StorageError) return error;
    const pg = pgError(error);
    if (!pg) return error;
    if (pg.code === '42501') return ERRORS.accessDenied(pg.message.includes('row-level security') ? 'new row violates row-level security policy' : pg.message);
    if (pg.code === '23505') return ERRORS.duplicate();
    if (pg.code === '23503') return new StorageError(404, 'InvalidRequest', 'InvalidRequest', 'The related resource does not exist');
    // The compat layer's own check of the bucket's limits (a backstop: they are checked above first).
    if (pg.code === 'SA496') return ERRORS.tooLarge();
    if (pg.code === 'SA497') return ERRORS.invalidMime(pg.detail ?? 'unknown');
    if (pg.code === '22P02') return new StorageError(400, 'InvalidParameter', 'InvalidParameter', pg.message || 'Invalid value format or type conversion failed');
    this.options.log(`storage: database error ${pg.code}: ${pg.message}`);
    return new StorageError(500, 'DatabaseError', 'DatabaseError', `database error, code: ${pg.code}`);
  }

  // ---- download ------------------------------------------------------------------------------------------

  private async findVisible(sql: Sql, bucket: string, name: string): Promise<ObjectRow | undefined> {
    const { rows } = await sql.query<ObjectRow>(
      `select id::text as id, name, version, metadata, ${iso('updated_at')} from storage.objects where bucket_id = $1 and name = $2`,
      [bucket, name],
    );
    return rows[0];
  }

  private async download(api: ApiRequest, bucket: string, name: string): Promise<void> {
    const claims = this.claims(api);
    const object = await this.options.database
      .asRequest(claims, (sql) => this.findVisible(sql, bucket, name), this.settings(api, 'storage.object.get_authenticated'))
      .catch((error: unknown) => {
        throw this.databaseError(error);
      });
    // "Missing" and "not yours to see" get the same answer, as Storage gives.
    if (!object) throw ERRORS.noSuchKey();
    await this.sendObject(api, bucket, object, {});
  }

  /** A public bucket's objects need no rights at all; a private bucket is not found on this route. */
  private async downloadPublic(api: ApiRequest, bucket: string, name: string): Promise<void> {
    const object = await this.options.database.asPlatform(async (sql) => {
      const { rows } = await sql.query('select 1 from storage.buckets where id = $1 and public', [bucket]);
      return rows.length ? ((await this.findVisible(sql, bucket, name)) ?? null) : undefined;
    });
    if (object === undefined) throw ERRORS.noSuchBucket();
    if (object === null) throw ERRORS.noSuchKey();
    await this.sendObject(api, bucket, object, {});
  }

  private async sendObject(api: ApiRequest, bucket: string, object: ObjectRow, extra: Record<string, string>): Promise<void> {
    if (!object.version) throw ERRORS.internal('The object has no stored version');
    const file = this.fileFor(bucket, object.version);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      // Removed or replaced since its row was read: that object is gone. Otherwise the row has lost its bytes.
      const { rows } = await this.options.database.asPlatform((sql) =>
        sql.query('select 1 from storage.objects where bucket_id = $1 and name = $2 and version = $3', [bucket, object.name, object.version]),
      );
      if (rows.length === 0) throw ERRORS.noSuchKey();
      this.options.log(`storage: the bytes of ${bucket}/${object.name} (version ${object.version}) are missing from ${file}`);
      throw ERRORS.internal('The object is recorded but its bytes are missing');
    }
    const meta = object.metadata ?? {};
    const headers: Record<string, string> = {
      'Accept-Ranges': 'bytes',
      'Content-Type': typeof meta.mimetype === 'string' ? meta.mimetype : 'application/octet-stream',
      'X-Robots-Tag': 'none',
      ...extra,
    };
    if (typeof meta.eTag === 'string') headers.ETag = meta.eTag;
    const modified = typeof meta.lastModified === 'string' ? meta.lastModified : object.updated_at;
    if (modified && !Number.isNaN(Date.parse(modified))) headers['Last-Modified'] = new Date(modified).toUTCString();
    if (!headers.Expires && typeof meta.cacheControl === 'string') headers['Cache-Control'] = meta.cacheControl;
    const download = api.url.searchParams.get('download');
    if (download !== null) {
      headers['Content-Disposition'] = download === '' ? 'attachment;' : `attachment; filename=${encodeURIComponent(download)}; filename*=UTF-8''${encodeURIComponent(download)}`;
    }
    const rangeHeader = api.header('range');
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (rangeHeader !== undefined) {
      ({ start, end } = parseRange(rangeHeader, size));
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = String(Math.max(0, end - start + 1));
    api.res.writeHead(status, headers);
    if (api.method === 'HEAD' || size === 0) {
      api.res.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const stream = createReadStream(file, { start, end });
      stream.once('error', (error) => {
        this.options.log(`storage: reading ${file} failed: ${error.message}`);
        api.res.destroy(error);
        resolve();
      });
      api.res.once('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(api.res);
    });
  }

  // ---- signed URLs ---------------------------------------------------------------------------------------

  private async expiresIn(api: ApiRequest): Promise<{ expiresIn: number; body: Record<string, unknown> }> {
    const parsed = parseJson(await readBody(api.req, JSON_BODY_LIMIT));
    if (!parsed.ok || !isPlainObject(parsed.value)) throw ERRORS.invalidRequest('body must be a JSON object');
    const expiresIn = parsed.value.expiresIn;
    if (expiresIn === undefined) throw ERRORS.missingParameter('expiresIn');
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 1) {
      throw new StorageError(400, 'InvalidParameter', 'InvalidParameter', 'Invalid Parameter expiresIn');
    }
    return { expiresIn: Math.floor(expiresIn), body: parsed.value };
  }

  private signedPath(bucket: string, name: string, expiresIn: number): string {
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt({ url: `${bucket}/${name}`, scope: 'download', iat: now, exp: now + expiresIn }, this.options.jwtSecret);
    return `/object/sign/${bucket}/${name}?token=${token}`;
  }

  private async sign(api: ApiRequest, bucket: string, name: string): Promise<void> {
    const claims = this.claims(api);
    const { expiresIn } = await this.expiresIn(api);
    const object = await this.options.database
      .asRequest(claims, (sql) => this.findVisible(sql, bucket, name), this.settings(api, 'storage.object.sign'))
      .catch((error: unknown) => {
        throw this.databaseError(error);
      });
    if (!object) throw ERRORS.noSuchKey();
    sendJson(api.res, 200, { signedURL: this.signedPath(bucket, name, expiresIn) });
  }

  private async signMany(api: ApiRequest, bucket: string): Promise<void> {
    const claims = this.claims(api);
    const { expiresIn, body } = await this.expiresIn(api);
    const paths = body.paths;
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) throw ERRORS.missingParameter('paths');
    if (paths.length > MAX_OBJECTS_PER_REQUEST) throw ERRORS.invalidRequest(`At most ${MAX_OBJECTS_PER_REQUEST} objects can be signed per request.`);
    const { rows } = await this.options.database
      .asRequest(claims, (sql) => sql.query<{ name: string }>('select name from storage.objects where bucket_id = $1 and name = any($2::text[])', [bucket, paths]), this.settings(api, 'storage.object.sign_many'))
      .catch((error: unknown) => {
        throw this.databaseError(error);
      });
    const visible = new Set(rows.map((r) => r.name));
    sendJson(
      api.res,
      200,
      (paths as string[]).map((p) =>
        visible.has(p)
          ? { error: null, path: p, signedURL: this.signedPath(bucket, p, expiresIn) }
          : { error: 'Either the object does not exist or you do not have access to it', path: p, signedURL: null },
      ),
    );
  }

  private async downloadSigned(api: ApiRequest, bucket: string, name: string): Promise<void> {
    const token = api.url.searchParams.get('token');
    if (!token) throw ERRORS.missingParameter('token');
    const verdict = verifyJwt(token, this.options.jwtSecret);
    if (!verdict.ok) throw ERRORS.invalidJwt(JWT_MESSAGES[verdict.reason]);
    if (verdict.claims.scope !== undefined && verdict.claims.scope !== 'download') throw ERRORS.invalidSignature('Token is not scoped for download');
    if (verdict.claims.url !== `${bucket}/${name}`) throw ERRORS.invalidSignature();
    const exp = verdict.claims.exp;
    // The signature stands in for the caller's rights (checked when it was signed), as in Storage.
    const object = await this.options.database.asPlatform((sql) => this.findVisible(sql, bucket, name));
    if (!object) throw ERRORS.noSuchKey();
    await this.sendObject(api, bucket, object, typeof exp === 'number' ? { Expires: new Date(exp * 1000).toUTCString() } : {});
  }

  // ---- removal -------------------------------------------------------------------------------------------

  private async removeMany(api: ApiRequest, bucket: string): Promise<void> {
    const claims = this.claims(api);
    const parsed = parseJson(await readBody(api.req, JSON_BODY_LIMIT));
    if (!parsed.ok || !isPlainObject(parsed.value)) throw ERRORS.invalidRequest('body must be a JSON object');
    const prefixes = parsed.value.prefixes;
    if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string')) throw ERRORS.missingParameter('prefixes');
    if (prefixes.length < 1 || prefixes.length > MAX_OBJECTS_PER_REQUEST) {
      throw ERRORS.invalidRequest(`At most ${MAX_OBJECTS_PER_REQUEST} objects can be deleted per request.`);
    }
    const deleted = await this.deleteRows(api, claims, bucket, prefixes as string[]);
    sendJson(api.res, 200, deleted);
  }

  private async removeOne(api: ApiRequest, bucket: string, name: string): Promise<void> {
    const claims = this.claims(api);
    const deleted = await this.deleteRows(api, claims, bucket, [name]);
    if (deleted.length === 0) throw ERRORS.noSuchKey();
    sendJson(api.res, 200, { message: 'Successfully deleted' });
  }

  /** Deletes what the caller's delete policy allows; the bytes go once the rows' removal committed. */
  private async deleteRows(api: ApiRequest, claims: RequestClaims, bucket: string, names: string[]): Promise<Array<Record<string, unknown> & { version: string | null }>> {
    const { rows } = await this.options.database
      .asRequest(
        claims,
        (sql) =>
          sql.query<Record<string, unknown> & { version: string | null }>(
            `delete from storage.objects where bucket_id = $1 and name = any($2::text[])
             returning bucket_id, name, owner::text as owner, owner_id, id::text as id, ${iso('updated_at')}, ${iso('created_at')},
                       ${iso('last_accessed_at')}, metadata, user_metadata, version`,
            [bucket, names],
          ),
        this.settings(api, 'storage.object.delete_many'),
      )
      .catch((error: unknown) => {
        throw this.databaseError(error);
      });
    for (const row of rows) if (row.version) await rm(this.fileFor(bucket, row.version), { force: true }).catch(() => {});
    return rows;
  }
}

/** Makes a rename durable: the directory entry is synced too (not possible on Windows, where it is skipped). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory for syncing; NTFS journals the rename itself.
  } finally {
    await handle?.close().catch(() => {});
  }
}
