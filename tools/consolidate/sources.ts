// Finds the legacy sources and copies them into session-local staging tables with a fixed shape.
// A live database that lacks a table or a column still plans: what is absent reads as NULL / empty,
// and the preflight report says what was missing.
import type pg from 'pg';

export interface SourceSpec {
  /** Name used in audit_log.source_table and in reports. */
  name: string;
  staging: string;
  /** Candidate locations, first existing wins. */
  locations: string[];
  columns: Record<string, string>;
  /** Staging names that differ from the source column names. */
  rename?: Record<string, string>;
}

export const SOURCES: SourceSpec[] = [
  {
    name: 'public.bookings', staging: 'src_bookings', locations: ['public.bookings'],
    columns: { id: 'uuid', booking_id: 'uuid', client_id: 'uuid', user_id: 'uuid', reader_id: 'uuid', status: 'text', is_emergency: 'boolean', created_at: 'timestamptz', deleted_at: 'timestamptz' },
    rename: { booking_id: 'alt_id' },
  },
  {
    name: 'public.messages', staging: 'src_messages', locations: ['public.messages'],
    columns: {
      id: 'uuid', booking_id: 'uuid', sender_id: 'uuid', type: 'text', content: 'text', file_url: 'text', file_name: 'text', file_size: 'bigint',
      duration_seconds: 'integer', is_read: 'boolean', is_approved: 'boolean', approved_by: 'uuid', approved_at: 'timestamptz',
      flagged: 'boolean', flagged_reason: 'text', reply_to: 'uuid', created_at: 'timestamptz',
    },
  },
  {
    name: 'public.voice_notes', staging: 'src_voice_notes', locations: ['public.voice_notes'],
    columns: { id: 'uuid', message_id: 'uuid', file_url: 'text', file_path: 'text', duration_seconds: 'integer', file_size_bytes: 'bigint', audio_format: 'text', user_id: 'uuid', created_at: 'timestamptz' },
  },
  {
    name: 'public.voice_note_approvals', staging: 'src_approvals', locations: ['public.voice_note_approvals'],
    columns: { id: 'uuid', message_id: 'uuid', reader_id: 'uuid', booking_id: 'uuid', status: 'text', reviewed_by: 'uuid', review_notes: 'text', created_at: 'timestamptz', updated_at: 'timestamptz' },
  },
  {
    name: 'legacy.chat_sessions', staging: 'src_lsessions', locations: ['legacy.chat_sessions'],
    columns: { id: 'uuid', participants: 'uuid[]', type: 'text', booking_id: 'uuid', status: 'text', started_at: 'timestamptz', ended_at: 'timestamptz', created_at: 'timestamptz' },
  },
  {
    name: 'legacy.chat_messages', staging: 'src_lmessages', locations: ['legacy.chat_messages'],
    columns: {
      id: 'uuid', session_id: 'uuid', sender_id: 'uuid', type: 'text', content: 'text', file_url: 'text', file_name: 'text', file_size: 'bigint',
      file_type: 'text', duration_seconds: 'integer', waveform_data: 'jsonb', reply_to_message_id: 'uuid', status: 'text', approved_by: 'uuid',
      approved_at: 'timestamptz', read_by: 'uuid[]', is_edited: 'boolean', edited_at: 'timestamptz', is_deleted: 'boolean', metadata: 'jsonb',
      created_at: 'timestamptz', updated_at: 'timestamptz',
    },
  },
];

/** Tables the consolidation reads but that hold nothing to carry over (reported, kept until finalize). */
export const CONTENTLESS_SOURCES = ['legacy.chat_participants'];
/** Chat-related legacy tables this tool does not carry over (reported so nobody assumes it did). */
export const NOT_CONSOLIDATED = ['legacy.emergency_calls', 'public.emergency_alerts', 'public.chat_audit_logs', 'public.chat_notifications', 'public.notifications'];

export interface SourceInfo {
  name: string;
  location: string | null;
  rows: number;
  missingColumns: string[];
  /** false: present, reported, not carried over by this tool. */
  consolidated?: boolean;
}

export async function relationExists(client: pg.ClientBase, qualified: string): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>('select to_regclass($1) is not null as ok', [qualified]);
  return r.rows[0]!.ok;
}

async function columnsOf(client: pg.ClientBase, qualified: string): Promise<Map<string, string>> {
  const [schema, table] = qualified.split('.') as [string, string];
  const r = await client.query<{ column_name: string; data_type: string }>(
    'select column_name, data_type from information_schema.columns where table_schema = $1 and table_name = $2',
    [schema, table],
  );
  return new Map(r.rows.map((x) => [x.column_name, x.data_type]));
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const qualify = (qualified: string) => qualified.split('.').map(ident).join('.');

/** Creates the src_* staging tables (temporary, dropped at the end of the transaction). */
export async function stageSources(client: pg.ClientBase): Promise<SourceInfo[]> {
  const infos: SourceInfo[] = [];
  for (const spec of SOURCES) {
    let location: string | null = null;
    for (const loc of spec.locations) if (await relationExists(client, loc)) { location = loc; break; }
    const cols = Object.entries(spec.columns);
    const missing: string[] = [];
    if (!location) {
      await client.query(`create temp table ${spec.staging} on commit drop as select ${cols.map(([c, t]) => `null::${t} as ${ident(spec.rename?.[c] ?? c)}`).join(', ')}, null::jsonb as raw limit 0`);
      infos.push({ name: spec.name, location: null, rows: 0, missingColumns: [] });
      continue;
    }
    const have = await columnsOf(client, location);
    const as = (c: string) => ident(spec.rename?.[c] ?? c);
    const select = cols.map(([c, t]) => {
      if (!have.has(c)) { missing.push(c); return `null::${t} as ${as(c)}`; }
      return `s.${ident(c)}::${t} as ${as(c)}`;
    });
    await client.query(`create temp table ${spec.staging} on commit drop as select ${select.join(', ')}, to_jsonb(s) as raw from ${qualify(location)} s`);
    await client.query(`create index on ${spec.staging} (id)`);
    await client.query(`analyze ${spec.staging}`);
    const n = await client.query<{ n: string }>(`select count(*) n from ${spec.staging}`);
    infos.push({ name: spec.name, location, rows: Number(n.rows[0]!.n), missingColumns: missing });
  }
  for (const loc of [...CONTENTLESS_SOURCES, ...NOT_CONSOLIDATED]) {
    if (!(await relationExists(client, loc))) continue;
    const n = await client.query<{ n: string }>(`select count(*) n from ${qualify(loc)}`);
    infos.push({ name: loc, location: loc, rows: Number(n.rows[0]!.n), missingColumns: [], consolidated: !NOT_CONSOLIDATED.includes(loc) });
  }
  return infos;
}

/** The unified schema must be in place (migrations applied) before anything can be consolidated. */
export async function checkTargetSchema(client: pg.ClientBase): Promise<string[]> {
  const problems: string[] = [];
  const need: Record<string, string[]> = {
    'public.chat_sessions': ['id', 'type', 'status', 'booking_id', 'last_message_at', 'created_at', 'created_by'],
    'public.chat_participants': ['session_id', 'user_id', 'role_in_session', 'last_read_at', 'joined_at'],
    'public.chat_messages': ['id', 'session_id', 'sender_id', 'type', 'body', 'storage_path', 'mime_type', 'size_bytes', 'duration_ms', 'waveform', 'reply_to', 'status', 'reviewed_by', 'reviewed_at', 'review_reason', 'created_at', 'edited_at',
      'flagged', 'flagged_reason', 'flagged_by', 'flagged_at'],
    'public.audit_log': ['table_name', 'row_id', 'action', 'old_values', 'new_values', 'source_table', 'source_id'],
    'public.profiles': ['id', 'display_name', 'role'],
  };
  for (const [table, cols] of Object.entries(need)) {
    const have = await columnsOf(client, table);
    if (!have.size) { problems.push(`${table} does not exist: apply the unified schema (supabase/migrations) first`); continue; }
    const absent = cols.filter((c) => !have.has(c));
    if (absent.length) problems.push(`${table} lacks ${absent.join(', ')}: it is not the unified schema (apply supabase/migrations first)`);
  }
  return problems;
}
