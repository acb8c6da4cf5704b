import type { PlatformDatabase, Sql } from './platform-database';
import { requestClaims, requestToken } from './request-claims';
import { BodyTooLargeError, ClientAbortedError, isPlainObject, pgError, readBody, sendEmpty, type ApiRequest } from './http-util';

/**
 * `/rest/v1/rpc/<fn>`: PostgREST's function calls, as supabase-js's postgrest-js makes them. The function is
 * found in schema `public` by name and argument names (PostgREST's overload rules), called with named
 * arguments of their declared types through `json_to_record` (as PostgREST binds a JSON body), in one
 * transaction under the caller's role and claims (read-only for GET and for stable/immutable functions).
 * Results are encoded to JSON by Postgres itself, so values look exactly as PostgREST sends them.
 *
 * Deliberate limits of the local server: no table or view endpoints (`/rest/v1/<table>` answers 404: the app
 * reads and writes through functions only), no resource embedding, JSON paths, logic trees (`or=`),
 * aggregates or CSV; each answers a PostgREST error that says so.
 */

export interface RestApiOptions {
  database: PlatformDatabase;
  jwtSecret: string;
  /** PostgREST's `db-max-rows` (Supabase's default 1000): the most rows a set-returning call answers. */
  maxRows: number;
  maxBodyBytes: number;
  log: (message: string) => void;
}

const SCHEMA = 'public';

interface RoutineParam {
  name: string;
  type: string;
  required: boolean;
  variadic: boolean;
}

type ResultKind = 'void' | 'scalar' | 'setof-scalar' | 'single' | 'set';

interface Routine {
  name: string;
  params: RoutineParam[];
  kind: ResultKind;
  volatile: boolean;
}

interface CatalogRow {
  name: string;
  volatility: string;
  returns_set: boolean;
  returns_void: boolean;
  ret_composite: boolean;
  ret_record: boolean;
  ndefaults: number;
  arg_names: string[] | null;
  arg_modes: string[] | null;
  arg_types: string[];
}

/** A PostgREST error body with its HTTP status (and headers such as WWW-Authenticate). */
class PgrstError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'PgrstError';
  }
}

const notImplemented = (details: string) => new PgrstError(400, 'PGRST127', 'Feature not implemented', details);
const queryParamError = (message: string, details: string) => new PgrstError(400, 'PGRST100', message, details);

/** Quotes an identifier as PostgREST's pgFmtIdent does; any text is safe inside. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** PostgREST's SQLSTATE → HTTP status (Error.hs, mapSQLtoHTTP). */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
  if (code.startsWith('08')) return 503;
  if (code.startsWith('09')) return 500;
  if (code.startsWith('0L') || code.startsWith('0P')) return 403;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
  if (/^(25|2D|38|39|3B|40)/.test(code)) return 500;
  if (code.startsWith('28')) return 403;
  if (code === '53400') return 500;
  if (code.startsWith('53')) return 503;
  if (code.startsWith('54') || code.startsWith('55')) return 500;
  if (code === '57P01') return 503;
  if (/^(57|58|F0|HV|XX)/.test(code)) return 500;
  if (code === 'P0001') return 400;
  if (code.startsWith('P0')) return 500;
  if (code === '42883') return message.startsWith('function xmlagg(') ? 406 : 404;
  if (code === '42P01') return 404;
  if (code === '42P17') return 500;
  if (code === '42501') return authed ? 403 : 401;
  if (code.startsWith('PT')) {
    const status = Number(code.slice(2));
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
  }
  return 400;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

const similarity = (a: string, b: string) => 1 - levenshtein(a, b) / Math.max(a.length, b.length, 1);

function closest(candidates: string[], wanted: string, minScore: number): string | null {
  let best: string | null = null;
  let bestScore = minScore;
  for (const candidate of candidates) {
    const score = similarity(candidate, wanted);
    if (score >= bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

// ---- query string ----------------------------------------------------------------------------------------

const RESERVED = new Set(['select', 'columns', 'on_conflict', 'order', 'limit', 'offset', 'and', 'or']);
const OPERATOR = /^(not\.)?(eq|neq|gt|gte|lt|lte|like|ilike|match|imatch|is|in|cs|cd|ov|sl|sr|nxr|nxl|adj|isdistinct|fts|plfts|phfts|wfts)(\(.*\))?\./;

interface Filter {
  column: string;
  negate: boolean;
  operator: string;
  value: string;
}

interface ReadShape {
  select: string;
  filters: Filter[];
  order: string;
  limit: number | null;
  offset: number;
}

/** A value list `(a,b,"c,d")` of the `in` operator, as PostgREST reads it. */
function parseList(text: string, original: string): string[] {
  if (!text.startsWith('(') || !text.endsWith(')')) throw queryParamError(`"failed to parse filter (${original})" (line 1, column 1)`, 'unexpected end of input expecting "("');
  const inner = text.slice(1, -1);
  const values: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < inner.length) current += inner[++i];
      else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      values.push(current);
      current = '';
    } else current += c;
  }
  if (inner.length > 0) values.push(current);
  return values;
}

const pgArrayLiteral = (values: string[]) => `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

function parseFilter(column: string, expression: string): Filter {
  if (column.includes('.')) throw notImplemented(`Filters on embedded resources (${column}) are not served by the local server.`);
  const match = OPERATOR.exec(expression);
  if (!match) {
    throw queryParamError(`"failed to parse filter (${expression})" (line 1, column 1)`, 'unexpected "' + (expression[0] ?? '') + '" expecting "not" or operator (eq, gt, ...)');
  }
  if (match[3]) throw notImplemented(`The quantified or full-text form of the ${match[2]} operator is not served by the local server.`);
  return { column, negate: Boolean(match[1]), operator: match[2]!, value: expression.slice(match[0].length) };
}

function selectList(select: string): string {
  const text = select.replace(/\s/g, '');
  if (text === '' || text === '*') return '*';
  if (/[()]/.test(text)) throw notImplemented('Embedded resources and aggregates in select are not served by the local server (it exposes functions only).');
  if (/->/.test(text)) throw notImplemented('JSON paths in select are not served by the local server.');
  return text
    .split(',')
    .map((item) => {
      if (item === '*') return '*';
      const m = /^(?:([^:"]+|"[^"]+"):)?([^:"]+|"[^"]+")(?:::([a-zA-Z_][a-zA-Z0-9_ ]*(?:\[\])?))?$/.exec(item);
      if (!m) throw queryParamError(`"failed to parse select parameter (${select})" (line 1, column 1)`, `unexpected "${item}"`);
      const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1) : s);
      const column = unquote(m[2]!);
      const alias = m[1] ? unquote(m[1]) : null;
      const cast = m[3] ? `::${m[3]}` : '';
      return `${ident(column)}${cast}${alias !== null || cast ? ` as ${ident(alias ?? column)}` : ''}`;
    })
    .join(', ');
}

function orderClause(order: string): string {
  if (order === '') return '';
  return (
    'order by ' +
    order
      .split(',')
      .map((term) => {
        const parts = term.split('.');
        const column = parts.shift()!;
        let direction = '';
        let nulls = '';
        for (const part of parts) {
          if (part === 'asc' || part === 'desc') direction = ` ${part}`;
          else if (part === 'nullsfirst') nulls = ' nulls first';
          else if (part === 'nullslast') nulls = ' nulls last';
          else throw queryParamError(`"failed to parse order (${order})" (line 1, column 1)`, `unexpected "${part}" expecting "asc", "desc", "nullsfirst" or "nullslast"`);
        }
        if (!column) throw queryParamError(`"failed to parse order (${order})" (line 1, column 1)`, 'unexpected end of input');
        return `${ident(column)}${direction}${nulls}`;
      })
      .join(', ')
  );
}

function nonNegative(name: string, value: string | null): number | null {
  if (value === null || value === '') return null;
  if (!/^\d+$/.test(value)) throw queryParamError(`"failed to parse ${name} parameter (${value})" (line 1, column 1)`, 'unexpected input expecting digit');
  return Number(value);
}

// ---- the request ---------------------------------------------------------------------------------------

interface Preferences {
  count: boolean;
  rollback: boolean;
}

function preferences(header: string | undefined): Preferences {
  const prefs = (header ?? '').split(',').map((p) => p.trim().toLowerCase());
  return {
    count: prefs.some((p) => p === 'count=exact' || p === 'count=planned' || p === 'count=estimated'),
    rollback: prefs.includes('tx=rollback'),
  };
}

type Media = { kind: 'array' | 'object'; stripNulls: boolean };

/** Content negotiation for what this server produces: JSON arrays, or one object. */
function negotiate(accept: string | undefined): Media {
  if (!accept) return { kind: 'array', stripNulls: false };
  const offered = accept.split(',').map((part) => part.trim().toLowerCase());
  for (const item of offered) {
    const [type, ...params] = item.split(';').map((s) => s.trim());
    const stripNulls = params.includes('nulls=stripped');
    if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object') return { kind: 'object', stripNulls };
    if (type === 'application/json' || type === 'application/vnd.pgrst.array+json' || type === '*/*' || type === 'application/*') {
      return { kind: 'array', stripNulls };
    }
  }
  throw new PgrstError(406, 'PGRST107', `None of these media types are available: ${offered.map((o) => o.split(';')[0]).join(', ')}`);
}

/** Rolls a transaction back while keeping what it computed (Prefer: tx=rollback, a failed singular check). */
class Rollback<T> extends Error {
  constructor(readonly outcome: T) {
    super('rollback');
  }
}

export class RestApi {
  private routines: Map<string, Routine[]> | null = null;
  private loading: Promise<Map<string, Routine[]>> | null = null;
  private stopListening: (() => Promise<void>) | null = null;

  constructor(private readonly options: RestApiOptions) {}

  /** Loads the schema cache and reloads it on `NOTIFY pgrst, 'reload schema'`, as PostgREST does. */
  async start(): Promise<void> {
    await this.loadRoutines();
    this.stopListening = await this.options.database.listen('pgrst', (payload) => {
      if (payload === '' || payload === 'reload schema') this.routines = null;
    });
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
    this.stopListening = null;
  }

  /** Forgets the function list; the next call reads pg_catalog again. */
  reloadSchemaCache(): void {
    this.routines = null;
  }

  async handle(api: ApiRequest): Promise<void> {
    try {
      await this.route(api);
    } catch (error) {
      this.sendError(api, error, false);
    }
  }

  private sendError(api: ApiRequest, error: unknown, authed: boolean): void {
    if (api.res.headersSent || error instanceof ClientAbortedError) {
      api.res.destroy();
      return;
    }
    let e: PgrstError;
    if (error instanceof PgrstError) e = error;
    else if (error instanceof BodyTooLargeError) {
      e = new PgrstError(413, 'PGRST102', `Request body too large: the local server accepts at most ${error.limit} bytes`, null, null, { Connection: 'close' });
    } else {
      const pg = pgError(error);
      if (pg?.code === 'PGRST') e = raisedPgrst(pg);
      else if (pg) {
        const status = statusForSqlState(pg.code, pg.message, authed);
        e = new PgrstError(status, pg.code, pg.message, pg.detail ?? null, pg.hint ?? null, status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
      } else {
        this.options.log(`rest: ${api.method} ${api.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        e = new PgrstError(500, 'PGRSTX00', 'Internal server error in the local REST server');
      }
    }
    const body = JSON.stringify({ code: e.code, message: e.message, details: e.details, hint: e.hint });
    api.res.writeHead(e.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      ...e.headers,
    });
    api.res.end(api.method === 'HEAD' ? undefined : body);
  }

  private async route(api: ApiRequest): Promise<void> {
    if (api.path === '/' || api.path === '') throw new PgrstError(404, 'PGRST126', 'Root endpoint metadata is disabled');
    const rpc = /^\/rpc\/([^/]+)$/.exec(api.path);
    if (!rpc) {
      const table = /^\/([^/]+)$/.exec(api.path);
      if (table && !api.path.startsWith('/rpc')) {
        throw new PgrstError(
          404,
          'PGRST205',
          `Could not find the table '${SCHEMA}.${decodeURIComponent(table[1]!)}' in the schema cache`,
          'The local Supabase server exposes functions only: call them at /rest/v1/rpc/<function>. Tables and views are not served.',
        );
      }
      throw new PgrstError(404, 'PGRST125', 'Invalid path specified in request URL');
    }
    let name: string;
    try {
      name = decodeURIComponent(rpc[1]!);
    } catch {
      throw new PgrstError(404, 'PGRST125', 'Invalid path specified in request URL');
    }
    const method = api.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') throw new PgrstError(405, 'PGRST101', `Cannot use the ${method} method on RPC`);
    const read = method === 'GET' || method === 'HEAD';
    const profile = api.header(read ? 'accept-profile' : 'content-profile');
    if (profile !== undefined && profile !== SCHEMA) {
      throw new PgrstError(406, 'PGRST106', `Invalid schema: ${profile}`, null, `Only the following schemas are exposed: ${SCHEMA}`);
    }

    const verdict = requestClaims(requestToken(api), this.options.jwtSecret);
    if (!verdict.ok) {
      if (verdict.reason === 'role') {
        // PostgREST's `set local role` would fail: the authenticator is not a member of that role.
        throw new PgrstError(403, '42501', `permission denied to set role "${verdict.role}"`);
      }
      const message = { malformed: 'Expected 3 parts in JWT; got a malformed token', bad_signature: 'JWT cryptographic operation failed', expired: 'JWT expired' }[verdict.reason];
      const code = verdict.reason === 'expired' ? 'PGRST303' : 'PGRST301';
      throw new PgrstError(401, code, message, null, null, { 'WWW-Authenticate': `Bearer error="invalid_token", error_description=${JSON.stringify(message)}` });
    }
    const claims = verdict.claims;
    const media = negotiate(api.header('accept'));
    const prefer = preferences(api.header('prefer'));

    // Arguments: the JSON (or form) body of a POST; for GET the query parameters that are not filters.
    const queryArgs = new Map<string, string>();
    const filters: Filter[] = [];
    const query = api.url.searchParams;
    for (const [key, value] of query) {
      if (RESERVED.has(key) || /\.(order|limit|offset|and|or)$/.test(key)) continue;
      if (read && !OPERATOR.test(value)) {
        if (queryArgs.has(key)) throw notImplemented(`Repeated argument ${key}: variadic arguments in the query string are not served by the local server.`);
        queryArgs.set(key, value);
      } else filters.push(parseFilter(key, value));
    }
    // Own properties only (Object.fromEntries), so no argument name can reach the object's prototype.
    let args: Record<string, unknown> = Object.fromEntries(queryArgs);
    if (query.has('or') || query.has('and')) throw notImplemented('Logic trees (or=, and=) are not served by the local server.');
    if (query.has('columns')) throw notImplemented('The columns parameter is not served by the local server.');
    let singleBody: string | null = null;
    if (!read) {
      const body = await readBody(api.req, this.options.maxBodyBytes);
      const contentType = (api.header('content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
      if (contentType === 'application/json') {
        const text = body.toString('utf8');
        if (text.trim() === '') args = {};
        else {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new PgrstError(400, 'PGRST102', 'Empty or invalid json');
          }
          if (Array.isArray(parsed)) throw notImplemented('Calling a function once per element of a JSON array is not served by the local server.');
          if (!isPlainObject(parsed)) throw new PgrstError(400, 'PGRST102', 'Empty or invalid json');
          args = parsed;
          singleBody = text;
        }
      } else if (contentType === 'application/x-www-form-urlencoded') {
        args = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      } else {
        throw new PgrstError(400, 'PGRST102', `Content-Type not acceptable: ${contentType}`);
      }
    }

    const keys = Object.keys(args);
    const routine = await this.findRoutine(name, keys, !read, singleBody !== null);
    const shape: ReadShape = {
      select: query.get('select') ?? '*',
      filters,
      order: query.get('order') ?? '',
      limit: nonNegative('limit', query.get('limit')),
      offset: nonNegative('offset', query.get('offset')) ?? 0,
    };

    const readOnly = read || !routine.volatile;
    const settings: Record<string, string> = {
      'request.method': method,
      'request.path': `/rpc/${name}`,
      'request.headers': JSON.stringify(requestHeaders(api)),
      // PostgREST's read transaction for GET and for stable/immutable functions: a write inside fails (405).
      ...(readOnly ? { transaction_read_only: 'on' } : {}),
    };
    type Outcome = { status: number; body: string | null; headers: Record<string, string>; singularFailure?: PgrstError };
    let outcome: Outcome;
    try {
      outcome = await this.options.database.asRequest(
        claims,
        async (sql) => {
          const result = await this.call(sql, routine, args, singleBody !== null ? 'json' : 'text', singleBody, shape, media, prefer);
          // A failed singular check and `Prefer: tx=rollback` both undo what the function did, as PostgREST does.
          if (result.singularFailure || prefer.rollback) throw new Rollback(result);
          return result;
        },
        settings,
      );
    } catch (error) {
      if (error instanceof Rollback) outcome = error.outcome as Outcome;
      else {
        this.sendError(api, error, claims.role !== 'anon');
        return;
      }
    }
    if (outcome.singularFailure) throw outcome.singularFailure;
    if (outcome.body === null) {
      sendEmpty(api.res, outcome.status, outcome.headers);
      return;
    }
    const payload = Buffer.from(outcome.body, 'utf8');
    api.res.writeHead(outcome.status, { ...outcome.headers, 'Content-Length': String(payload.length) });
    api.res.end(method === 'HEAD' ? undefined : payload);
  }

  /** Builds and runs the call; returns the response, encoded by Postgres. */
  private async call(
    sql: Sql,
    routine: Routine,
    args: Record<string, unknown>,
    argsFrom: 'json' | 'text',
    singleBody: string | null,
    shape: ReadShape,
    media: Media,
    prefer: Preferences,
  ): Promise<{ status: number; body: string | null; headers: Record<string, string>; singularFailure?: PgrstError }> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const fn = `${ident(SCHEMA)}.${ident(routine.name)}`;
    let from: string;
    let callArgs: string;
    const provided = routine.params.filter((p) => Object.prototype.hasOwnProperty.call(args, p.name));
    if (routine.params.length === 1 && routine.params[0]!.name === '' && singleBody !== null) {
      from = '';
      callArgs = `${param(singleBody)}::${routine.params[0]!.type}`;
    } else if (provided.length === 0) {
      from = '';
      callArgs = '';
    } else if (argsFrom === 'text') {
      // Query-string and form arguments are text, cast to the declared type (PostgREST's DirectArgs).
      from = '';
      callArgs = provided.map((p) => `${p.variadic ? 'variadic ' : ''}${ident(p.name)} := ${param(String(args[p.name]))}::${p.type}`).join(', ');
    } else {
      const payload = param(JSON.stringify(Object.fromEntries(provided.map((p) => [p.name, args[p.name]]))));
      from = `(select ${payload}::json as json_data) pgrst_payload, lateral json_to_record(pgrst_payload.json_data) as pgrst_body(${provided
        .map((p) => `${ident(p.name)} ${p.type}`)
        .join(', ')}), `;
      callArgs = provided.map((p) => `${p.variadic ? 'variadic ' : ''}${ident(p.name)} := pgrst_body.${ident(p.name)}`).join(', ');
    }
    const jsonType = media.kind === 'object' ? 'application/vnd.pgrst.object+json' : 'application/json';
    const contentType = { 'Content-Type': `${jsonType}; charset=utf-8` };

    if (routine.kind === 'void' || routine.kind === 'scalar') {
      if (shape.filters.length > 0 || shape.order || shape.limit !== null || shape.offset > 0) {
        throw notImplemented('Filters, order, limit and offset apply to set-returning functions only on the local server.');
      }
      const call = `${from}lateral (select ${fn}(${callArgs}) as pgrst_scalar) pgrst_call`;
      if (routine.kind === 'void') {
        await sql.query(`select 1 from ${call}`, params);
        return { status: 204, body: null, headers: {} };
      }
      const { rows } = await sql.query<{ body: string }>(`select coalesce((json_agg(pgrst_call.pgrst_scalar) -> 0)::text, 'null') as body from ${call}`, params);
      return { status: 200, body: rows[0]!.body, headers: contentType };
    }

    const source =
      routine.kind === 'setof-scalar'
        ? `select pgrst_call.pgrst_scalar from ${from}lateral (select ${fn}(${callArgs}) as pgrst_scalar) pgrst_call`
        : `select pgrst_call.* from ${from}${fn}(${callArgs}) pgrst_call`;
    const where = shape.filters.length
      ? 'where ' + shape.filters.map((f) => filterSql(f, param)).join(' and ')
      : '';
    const isSet = routine.kind !== 'single';
    const limit = isSet ? Math.min(shape.limit ?? this.options.maxRows, this.options.maxRows) : null;
    const columns = routine.kind === 'setof-scalar' ? 'pgrst_scalar' : selectList(shape.select);
    const page = `select ${columns} from pgrst_source ${where} ${orderClause(shape.order)} ${limit !== null ? `limit ${limit}` : ''} ${shape.offset ? `offset ${shape.offset}` : ''}`;
    const element = routine.kind === 'setof-scalar' ? '_t.pgrst_scalar' : media.stripNulls ? 'json_strip_nulls(to_json(_t))' : '_t';
    const aggregate = routine.kind === 'single' ? `coalesce((json_agg(${element}) -> 0)::text, 'null')` : `coalesce(json_agg(${element}), '[]')::text`;
    const total = prefer.count ? `(select count(*) from pgrst_source ${where})::int8::text` : 'null::text';
    const { rows } = await sql.query<{ body: string; page_count: string; total: string | null }>(
      `with pgrst_source as (${source})
       select ${aggregate} as body, count(*)::int8::text as page_count, ${total} as total
         from (${page}) _t`,
      params,
    );
    const row = rows[0]!;
    const pageCount = Number(row.page_count);
    const totalCount = row.total === null ? null : Number(row.total);
    if (media.kind === 'object' && routine.kind !== 'single' && pageCount !== 1) {
      return {
        status: 406,
        body: null,
        headers: {},
        singularFailure: new PgrstError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${pageCount} rows`),
      };
    }
    let body = row.body;
    if (media.kind === 'object' && routine.kind !== 'single') body = body.replace(/^\[/, '').replace(/\]$/, '');
    const headers: Record<string, string> = { ...contentType };
    let status = 200;
    if (isSet) {
      // PostgREST's rangeStatusHeader and contentRangeH.
      const lower = shape.offset;
      const upper = lower + pageCount - 1;
      headers['Content-Range'] = `${totalCount !== 0 && lower <= upper ? `${lower}-${upper}` : '*'}/${totalCount ?? '*'}`;
      if (totalCount !== null) {
        if (lower > totalCount) {
          throw new PgrstError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${lower} was requested, but there are only ${totalCount} rows.`);
        }
        if (pageCount < totalCount) status = 206;
      }
    }
    return { status, body, headers };
  }

  // ---- the schema cache ----------------------------------------------------------------------------------

  private loadRoutines(): Promise<Map<string, Routine[]>> {
    if (!this.loading) {
      this.loading = this.options.database
        .asPlatform((sql) =>
          sql.query<CatalogRow>(
            `select p.proname::text as name, p.provolatile::text as volatility, p.proretset as returns_set,
                    p.prorettype = 'pg_catalog.void'::regtype as returns_void,
                    rt.typrelid <> 0 as ret_composite, p.prorettype = 'pg_catalog.record'::regtype as ret_record,
                    p.pronargdefaults::int as ndefaults,
                    p.proargnames::text[] as arg_names, p.proargmodes::text[] as arg_modes,
                    array(select format_type(a.t, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality as a(t, i) order by a.i) as arg_types
               from pg_catalog.pg_proc p
               join pg_catalog.pg_namespace n on n.oid = p.pronamespace
               join pg_catalog.pg_type rt on rt.oid = p.prorettype
              where n.nspname = $1 and p.prokind = 'f'`,
            [SCHEMA],
          ),
        )
        .then(({ rows }) => {
          const map = new Map<string, Routine[]>();
          for (const row of rows) {
            const routine = toRoutine(row);
            map.set(routine.name, [...(map.get(routine.name) ?? []), routine]);
          }
          this.routines = map;
          return map;
        })
        .finally(() => {
          this.loading = null;
        });
    }
    return this.loading;
  }

  /** PostgREST's findProc: by name, then by the argument keys against each overload's parameters. */
  private async findRoutine(name: string, keys: string[], isPost: boolean, jsonBody: boolean): Promise<Routine> {
    let routines = this.routines ?? (await this.loadRoutines());
    let found = pick(routines.get(name) ?? [], new Set(keys), isPost && jsonBody);
    if (found.kind === 'none') {
      // A function created (or replaced) since the cache was read: read pg_catalog again once.
      routines = await this.loadRoutines();
      found = pick(routines.get(name) ?? [], new Set(keys), isPost && jsonBody);
    }
    if (found.kind === 'one') return found.routine;
    if (found.kind === 'many') {
      throw new PgrstError(
        300,
        'PGRST203',
        `Could not choose the best candidate function between: ${found.routines
          .map((r) => `${SCHEMA}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`)
          .join(', ')}`,
        null,
        'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
      );
    }
    const sorted = [...new Set(keys)].sort();
    const qualified = `${SCHEMA}.${name}`;
    const message = `Could not find the function ${qualified}${sorted.length ? `(${sorted.join(', ')})` : ' without parameters'} in the schema cache`;
    const withParams = sorted.length ? ` with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}` : ' without parameters';
    const details = `Searched for the function ${qualified}${withParams}${isPost ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`;
    const overloads = routines.get(name) ?? [];
    let hint: string | null = null;
    if (overloads.length === 0) {
      const near = closest([...routines.keys()], name, 0.75);
      if (near) hint = `Perhaps you meant to call the function ${SCHEMA}.${near}`;
    } else {
      const asList = (names: string[]) => `(${[...names].sort().join(', ')})`;
      const near = closest(overloads.map((r) => asList(r.params.map((p) => p.name))), asList(sorted), 0.33);
      if (near) hint = `Perhaps you meant to call the function ${SCHEMA}.${name}${near}`;
    }
    throw new PgrstError(404, 'PGRST202', message, details, hint);
  }
}

function toRoutine(row: CatalogRow): Routine {
  const types = row.arg_types;
  const modes = row.arg_modes && row.arg_modes.length ? row.arg_modes : types.map(() => 'i');
  const names = row.arg_names ?? [];
  const inputs: RoutineParam[] = [];
  const outputs: string[] = [];
  modes.forEach((mode, i) => {
    const name = names[i] ?? '';
    if (mode === 'i' || mode === 'b' || mode === 'v') inputs.push({ name, type: types[i]!, required: true, variadic: mode === 'v' });
    if (mode === 'o' || mode === 'b' || mode === 't') outputs.push(name);
  });
  // Defaults belong to the last pronargdefaults input parameters.
  for (let i = inputs.length - row.ndefaults; i < inputs.length; i++) if (i >= 0) inputs[i]!.required = false;
  const composite = row.ret_composite || (row.ret_record && outputs.length > 0);
  let kind: ResultKind;
  if (row.returns_void) kind = 'void';
  else if (row.returns_set) kind = composite || row.ret_record ? 'set' : 'setof-scalar';
  else kind = composite ? 'single' : 'scalar';
  return { name: row.name, params: inputs, kind, volatile: row.volatility === 'v' };
}

type Pick = { kind: 'one'; routine: Routine } | { kind: 'many'; routines: Routine[] } | { kind: 'none' };

function pick(overloads: Routine[], keys: Set<string>, jsonPost: boolean): Pick {
  const matching: Routine[] = [];
  const fallback: Routine[] = [];
  for (const routine of overloads) {
    if (matchesParams(routine, keys)) matching.push(routine);
    else if (jsonPost && routine.params.length === 1 && routine.params[0]!.name === '' && ['json', 'jsonb'].includes(routine.params[0]!.type)) {
      fallback.push(routine);
    }
  }
  if (matching.length === 1) return { kind: 'one', routine: matching[0]! };
  if (matching.length > 1) return { kind: 'many', routines: matching };
  if (fallback.length === 1) return { kind: 'one', routine: fallback[0]! };
  if (fallback.length > 1) return { kind: 'many', routines: fallback };
  return { kind: 'none' };
}

function matchesParams(routine: Routine, keys: Set<string>): boolean {
  if (routine.params.length === 0) return keys.size === 0;
  const required = routine.params.filter((p) => p.required).map((p) => p.name);
  const optional = new Set(routine.params.filter((p) => !p.required).map((p) => p.name));
  if (required.some((name) => name === '')) return false;
  const rest = [...keys].filter((k) => !optional.has(k));
  return rest.length === required.length && required.every((name) => keys.has(name));
}

function filterSql(filter: Filter, param: (value: unknown) => string): string {
  const column = ident(filter.column);
  const value = filter.value;
  let expression: string;
  switch (filter.operator) {
    case 'eq': expression = `${column} = ${param(value)}`; break;
    case 'neq': expression = `${column} <> ${param(value)}`; break;
    case 'gt': expression = `${column} > ${param(value)}`; break;
    case 'gte': expression = `${column} >= ${param(value)}`; break;
    case 'lt': expression = `${column} < ${param(value)}`; break;
    case 'lte': expression = `${column} <= ${param(value)}`; break;
    case 'like': expression = `${column} like ${param(value.replace(/\*/g, '%'))}`; break;
    case 'ilike': expression = `${column} ilike ${param(value.replace(/\*/g, '%'))}`; break;
    case 'match': expression = `${column} ~ ${param(value)}`; break;
    case 'imatch': expression = `${column} ~* ${param(value)}`; break;
    case 'is': {
      const target = { null: 'null', not_null: 'not null', true: 'true', false: 'false', unknown: 'unknown' }[value.toLowerCase()];
      if (!target) throw queryParamError(`"failed to parse filter (is.${value})" (line 1, column 4)`, 'unexpected input expecting null or trilean value (unknown, true, false)');
      expression = `${column} is ${target}`;
      break;
    }
    case 'in': expression = `${column} = any(${param(pgArrayLiteral(parseList(value, `in.${value}`)))})`; break;
    case 'cs': expression = `${column} @> ${param(value)}`; break;
    case 'cd': expression = `${column} <@ ${param(value)}`; break;
    case 'ov': expression = `${column} && ${param(value)}`; break;
    case 'isdistinct': expression = `${column} is distinct from ${param(value)}`; break;
    default:
      throw notImplemented(`The ${filter.operator} operator is not served by the local server.`);
  }
  return filter.negate ? `not (${expression})` : expression;
}

/** The request's headers as PostgREST puts them in `request.headers`: lower-case names, one string each. */
function requestHeaders(api: ApiRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(api.req.headers)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** `raise sqlstate 'PGRST' using message = '{"code":…}', detail = '{"status":…,"headers":{…}}'`. */
function raisedPgrst(pg: { message: string; detail?: string }): PgrstError {
  try {
    const message = JSON.parse(pg.message) as { code?: unknown; message?: unknown; details?: unknown; hint?: unknown };
    const detail = JSON.parse(pg.detail ?? '') as { status?: unknown; headers?: unknown };
    if (typeof message.code !== 'string' || typeof message.message !== 'string' || typeof detail.status !== 'number' || !isPlainObject(detail.headers)) throw new Error('shape');
    const headers = Object.fromEntries(Object.entries(detail.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return new PgrstError(
      detail.status,
      message.code,
      message.message,
      typeof message.details === 'string' ? message.details : null,
      typeof message.hint === 'string' ? message.hint : null,
      headers,
    );
  } catch {
    return new PgrstError(500, 'PGRST121', `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`, `Invalid JSON value for MESSAGE: '${pg.message}'`,
      "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.");
  }
}
