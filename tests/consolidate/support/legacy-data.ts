// Fills a legacy-shaped database (see legacy-schema.ts) and a storage folder ({bucket}/{path})
// with generated data that covers every trap named in /work/shared/legacy/README.md.
// Deterministic: the same seed gives the same rows and bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

export interface LegacyDataOptions {
  seed?: number;
  bookings?: number;
  /** Average messages per booking in public.messages. */
  messagesPerBooking?: number;
  /** Share of public.messages that are voice messages. */
  voiceShare?: number;
  /** Add rows that cannot be mapped without losing something (missing files, context-less voice note). */
  unmappable?: boolean;
  storageDir: string;
}

export interface LegacyFacts {
  users: { clients: string[]; readers: string[]; monitor: string; admin: string; superAdmin: string };
  deletedUsers: string[];
  authUserWithoutProfile: string;
  missingBookingId: string;
  /** Ids chosen to exercise specific traps, for targeted assertions. */
  traps: Record<string, string>;
  counts: { messages: number; voiceNotes: number; approvals: number; legacyMessages: number; legacySessions: number; bookings: number };
}

const PROJECT_URL = 'https://abcdefghijklmnopqrst.supabase.co';

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row = Record<string, unknown>;

async function insertRows(client: pg.Client, table: string, rows: Row[], types: Record<string, string>) {
  if (!rows.length) return;
  const cols = Object.keys(types);
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    const params = cols.map((c) => chunk.map((r) => {
      const v = r[c];
      if (v === undefined || v === null) return null;
      if (types[c] === 'jsonb') return JSON.stringify(v);
      if (Array.isArray(v)) return `{${v.join(',')}}`;
      return v;
    }));
    const casts = cols.map((c, j) => {
      const t = types[c]!;
      // Arrays of arrays cannot go through unnest; array columns travel as text and are cast back.
      return t.endsWith('[]') ? `$${j + 1}::text[]` : `$${j + 1}::${t}[]`;
    });
    const selects = cols.map((c) => (types[c]!.endsWith('[]') ? `${c}::${types[c]}` : c));
    await client.query(
      `insert into ${table} (${cols.map((c) => `"${c}"`).join(', ')})
       select ${selects.join(', ')} from unnest(${casts.join(', ')}) as t(${cols.join(', ')})`,
      params,
    );
  }
}

export async function fillLegacyData(client: pg.Client, opts: LegacyDataOptions): Promise<LegacyFacts> {
  const rand = rng(opts.seed ?? 42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const uuid = () => {
    const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
    h[12] = '4';
    h[16] = ((parseInt(h[16]!, 16) & 3) | 8).toString(16);
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const base = Date.parse('2025-03-01T10:00:00Z');
  let clock = 0;
  const ts = (stepMinutes = 3) => new Date(base + (clock += Math.floor(1 + rand() * stepMinutes)) * 60_000).toISOString();

  const nBookings = opts.bookings ?? 40;
  const perBooking = opts.messagesPerBooking ?? 8;
  const voiceShare = opts.voiceShare ?? 0.2;
  const traps: Record<string, string> = {};

  // ---- users --------------------------------------------------------------------------------
  const clients = Array.from({ length: 20 }, uuid);
  const readers = Array.from({ length: 6 }, uuid);
  const monitor = uuid(), admin = uuid(), superAdmin = uuid();
  const deletedUsers = [uuid(), uuid()];
  const authUserWithoutProfile = uuid();
  const roleOf = new Map<string, string>();
  clients.forEach((id) => roleOf.set(id, 'client'));
  readers.forEach((id) => roleOf.set(id, 'reader'));
  roleOf.set(monitor, 'monitor'); roleOf.set(admin, 'admin'); roleOf.set(superAdmin, 'super_admin');
  const authUsers: Row[] = [...roleOf.keys(), authUserWithoutProfile].map((id, i) => ({
    id, aud: 'authenticated', role: 'authenticated', email: `user${i}@example.test`, created_at: ts(),
    raw_user_meta_data: { full_name: `User ${i}` },
  }));
  await insertRows(client, 'auth.users', authUsers, { id: 'uuid', aud: 'text', role: 'text', email: 'text', created_at: 'timestamptz', raw_user_meta_data: 'jsonb' });
  const profiles: Row[] = [...roleOf.entries()].map(([id, role], i) => ({
    id, role, display_name: `${role} ${i}`, email: `user${i}@example.test`, encrypted_password: '$2a$10$legacyhash',
    preferred_language: i % 3 === 0 ? 'ar' : 'en',
  }));
  await insertRows(client, 'public.profiles', profiles, { id: 'uuid', role: 'text', display_name: 'text', email: 'text', encrypted_password: 'text', preferred_language: 'text' });

  // ---- storage --------------------------------------------------------------------------------
  await client.query(`insert into storage.buckets (id, name, public) values
    ('chat-files', 'chat-files', false), ('chat-attachments', 'chat-attachments', true), ('voice-notes', 'voice-notes', true)
    on conflict (id) do nothing`);
  const objects: Row[] = [];
  const putObject = (bucket: string, name: string, mime: string, size = 200 + Math.floor(rand() * 1800)) => {
    const file = path.join(opts.storageDir, bucket, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes(size));
    objects.push({ id: uuid(), bucket_id: bucket, name, metadata: { size, mimetype: mime }, created_at: ts(0) });
  };
  /** A file_url for a stored object, in one of the forms the old app wrote. */
  const fileUrl = (bucket: string, name: string, form: number) => {
    const enc = name.split('/').map(encodeURIComponent).join('/');
    switch (form % 5) {
      case 0: return `${PROJECT_URL}/storage/v1/object/public/${bucket}/${enc}`;
      case 1: return `${PROJECT_URL}/storage/v1/object/sign/${bucket}/${enc}?token=eyJhbGciOiJIUzI1NiJ9.${uuid()}`;
      case 2: return `${bucket}/${name}`;
      case 3: return `/${name}`.slice(1); // bare path, bucket implied
      default: return `${PROJECT_URL}/storage/v1/object/authenticated/${bucket}/${enc}`;
    }
  };

  // ---- bookings ---------------------------------------------------------------------------------
  const bookings: Row[] = [];
  const statuses = ['pending', 'confirmed', 'in_progress', 'completed', 'cancelled', 'completed'];
  for (let i = 0; i < nBookings; i++) {
    const c = pick(clients);
    bookings.push({
      id: uuid(), booking_id: uuid(), user_id: c, client_id: i % 7 === 3 ? null : c, reader_id: pick(readers), service_id: uuid(),
      status: pick(statuses), is_emergency: i % 11 === 5, created_at: ts(30),
    });
  }
  // client_id and user_id disagree.
  bookings[1]!.client_id = clients[(clients.indexOf(bookings[1]!.user_id as string) + 1) % clients.length];
  traps.bookingClientMismatch = bookings[1]!.id as string;
  // A booking whose reader no longer exists.
  bookings[2]!.reader_id = deletedUsers[0];
  traps.bookingDeletedReader = bookings[2]!.id as string;
  await insertRows(client, 'public.bookings', bookings, {
    id: 'uuid', booking_id: 'uuid', user_id: 'uuid', client_id: 'uuid', reader_id: 'uuid', service_id: 'uuid', status: 'text', is_emergency: 'boolean', created_at: 'timestamptz',
  });
  const missingBookingId = uuid();

  // ---- public.messages + voice_notes + voice_note_approvals ------------------------------------------
  const messages: Row[] = [];
  const voiceNotes: Row[] = [];
  const approvals: Row[] = [];
  const bookingMessages = new Map<string, string[]>();
  let form = 0;
  const addVoiceFile = (m: Row, opts2: { inVoiceNotesBucket?: boolean } = {}) => {
    const bucket = opts2.inVoiceNotesBucket === false ? 'chat-attachments' : pick(['voice-notes', 'voice-notes', 'chat-attachments', 'chat-files']);
    const name = `${m.booking_id as string}/${Date.parse(m.created_at as string)}-voice note.webm`.replace('voice note', form % 4 === 0 ? 'voice note' : 'voice');
    putObject(bucket, name, 'audio/webm');
    return { bucket, name };
  };
  const makeMessage = (booking: Row, sender: string, type: string): Row => ({
    id: uuid(), booking_id: booking.id, sender_id: sender, type, created_at: ts(), is_read: rand() < 0.6,
    is_approved: true, flagged: false,
  });
  for (const b of bookings) {
    const n = Math.max(0, Math.round(perBooking * (0.5 + rand())));
    const ids: string[] = [];
    for (let k = 0; k < n; k++) {
      const fromReader = rand() < 0.5;
      const sender = fromReader ? ((b.reader_id as string) ?? pick(readers)) : (b.user_id as string);
      const r = rand();
      const type = r < voiceShare ? 'voice' : r < voiceShare + 0.1 ? 'image' : r < voiceShare + 0.15 ? 'file' : r < voiceShare + 0.18 ? 'system' : 'text';
      const m = makeMessage(b, type === 'system' ? (b.user_id as string) : sender, type);
      if (type === 'text') m.content = `message ${messages.length} بالعربية, "quoted"`;
      if (type === 'system') m.content = 'Session started';
      if (type === 'image' || type === 'file') {
        const name = `${b.id as string}/${uuid()}.${type === 'image' ? 'jpg' : 'pdf'}`;
        const bucket = pick(['chat-attachments', 'chat-files']);
        putObject(bucket, name, type === 'image' ? 'image/jpeg' : 'application/pdf');
        m.file_url = fileUrl(bucket, name, form++);
        m.file_name = type === 'image' ? 'photo.jpg' : 'reading notes.pdf';
        m.file_size = 1000;
      }
      if (type === 'voice') {
        const f = addVoiceFile(m);
        const dup = rand() < 0.8; // the same voice message also recorded in voice_notes
        m.duration_seconds = 5 + Math.floor(rand() * 120);
        if (!dup || rand() < 0.5) m.file_url = fileUrl(f.bucket, f.name, form++);
        if (dup) {
          voiceNotes.push({
            id: uuid(), message_id: m.id, file_url: fileUrl(f.bucket, f.name, form++), file_path: rand() < 0.5 ? f.name : null,
            duration_seconds: m.duration_seconds, file_size_bytes: 1500, audio_format: 'webm', transcription: rand() < 0.3 ? 'transcribed text' : null,
            quality_rating: rand() < 0.3 ? 4 : null, user_id: m.sender_id, created_at: m.created_at,
          });
        } else if (!m.file_url) {
          m.file_url = fileUrl(f.bucket, f.name, form++);
        }
        const a = rand();
        if (a < 0.7) {
          const status = pick(['pending', 'approved', 'rejected', 'approved']);
          const reviewed = status !== 'pending';
          approvals.push({
            id: uuid(), message_id: m.id, reader_id: m.sender_id, booking_id: b.id, status,
            reviewed_by: reviewed ? pick([monitor, admin, superAdmin]) : null,
            review_notes: status === 'rejected' ? 'Contains personal contact details' : status === 'approved' && rand() < 0.3 ? 'ok' : null,
            created_at: m.created_at, updated_at: reviewed ? ts(1) : m.created_at,
          });
          // Most rows agree with is_approved; some disagree (the trap).
          m.is_approved = rand() < 0.2 ? status !== 'approved' : status === 'approved';
          if (m.is_approved && status === 'approved') { m.approved_by = approvals.at(-1)!.reviewed_by; m.approved_at = approvals.at(-1)!.updated_at; }
        } else if (a < 0.85) {
          m.is_approved = false;
        }
      }
      if (ids.length && rand() < 0.15) m.reply_to = pick(ids);
      if (rand() < 0.03) { m.flagged = true; m.flagged_reason = 'Reported by client'; }
      ids.push(m.id as string);
      messages.push(m);
    }
    bookingMessages.set(b.id as string, ids);
  }
  const withMessages = bookings.filter((b) => (bookingMessages.get(b.id as string) ?? []).length >= 2);
  const b0 = withMessages[0]!, b1 = withMessages[1]!, b2 = withMessages[2]!;

  // A reply whose target no longer exists.
  { const m = makeMessage(b0, b0.user_id as string, 'text'); m.content = 'reply to a vanished message'; m.reply_to = uuid(); messages.push(m); traps.danglingReply = m.id as string; }
  // Old code that keyed a booking by its second uuid column (bookings.booking_id).
  { const m = makeMessage({ id: b2.booking_id }, b2.user_id as string, 'text'); m.content = 'keyed by bookings.booking_id'; messages.push(m); traps.messageByBookingAlias = m.id as string; traps.aliasBooking = b2.id as string; }
  // Messages whose booking is gone.
  for (let k = 0; k < 3; k++) {
    const m = makeMessage({ id: missingBookingId }, k === 1 ? readers[0]! : clients[0]!, 'text');
    m.content = `orphan ${k}`; messages.push(m);
    if (k === 0) traps.messageMissingBooking = m.id as string;
  }
  // Messages from users that no longer exist.
  { const m = makeMessage(b1, deletedUsers[1]!, 'text'); m.content = 'from a deleted account'; messages.push(m); traps.messageDeletedSender = m.id as string; }
  // An auth user without a profile row sent a message.
  { const m = makeMessage(b1, authUserWithoutProfile, 'text'); m.content = 'auth user without profile'; messages.push(m); traps.messageAuthOnlySender = m.id as string; }
  // A text message that carries an attachment.
  {
    const m = makeMessage(b2, b2.user_id as string, 'text'); m.content = 'see attached';
    const name = `${b2.id as string}/scan.png`; putObject('chat-attachments', name, 'image/png');
    m.file_url = fileUrl('chat-attachments', name, 0); m.file_name = 'scan.png'; messages.push(m); traps.textWithAttachment = m.id as string;
  }
  // Approved in voice_note_approvals without a recorded reviewer; rejected without a reason.
  {
    const m = makeMessage(b2, b2.reader_id as string ?? readers[0]!, 'voice'); const f = addVoiceFile(m); m.file_url = fileUrl(f.bucket, f.name, 0);
    m.is_approved = false; messages.push(m); traps.approvedWithoutReviewer = m.id as string;
    approvals.push({ id: uuid(), message_id: m.id, reader_id: m.sender_id, booking_id: b2.id, status: 'approved', reviewed_by: null, created_at: m.created_at, updated_at: ts(1) });
    const m2 = makeMessage(b2, b2.reader_id as string ?? readers[0]!, 'voice'); const f2 = addVoiceFile(m2); m2.file_url = fileUrl(f2.bucket, f2.name, 1);
    messages.push(m2); traps.rejectedWithoutReason = m2.id as string;
    approvals.push({ id: uuid(), message_id: m2.id, reader_id: m2.sender_id, booking_id: b2.id, status: 'rejected', reviewed_by: monitor, review_notes: null, created_at: m2.created_at, updated_at: ts(1) });
  }
  // Several decisions for one message: the latest one counts.
  {
    const m = makeMessage(b0, b0.reader_id as string, 'voice'); const f = addVoiceFile(m); m.file_url = fileUrl(f.bucket, f.name, 2);
    m.is_approved = true; messages.push(m); traps.multipleApprovals = m.id as string;
    approvals.push({ id: uuid(), message_id: m.id, reader_id: m.sender_id, booking_id: b0.id, status: 'pending', created_at: m.created_at, updated_at: m.created_at });
    approvals.push({ id: uuid(), message_id: m.id, reader_id: m.sender_id, booking_id: b0.id, status: 'rejected', reviewed_by: admin, review_notes: 'Off-topic', created_at: ts(1), updated_at: ts(1) });
  }
  // Two voice_notes rows for one voice message (same file), one voice note on a text message.
  {
    const m = makeMessage(b1, b1.reader_id as string, 'voice'); const f = addVoiceFile(m); messages.push(m);
    for (let k = 0; k < 2; k++) voiceNotes.push({ id: uuid(), message_id: m.id, file_url: fileUrl(f.bucket, f.name, k), file_path: f.name, duration_seconds: 42, file_size_bytes: 1500, user_id: m.sender_id, created_at: ts(0) });
    traps.doubleVoiceNote = m.id as string;
    const t = makeMessage(b1, b1.reader_id as string, 'text'); t.content = 'listen to this'; messages.push(t);
    const f2 = addVoiceFile(t); voiceNotes.push({ id: uuid(), message_id: t.id, file_url: fileUrl(f2.bucket, f2.name, 0), duration_seconds: 9, user_id: t.sender_id, created_at: ts(0) });
    traps.voiceNoteOnTextMessage = voiceNotes.at(-1)!.id as string;
  }
  // Voice notes whose message row is gone, but whose approval still says where they belong.
  for (const [k, booking] of [[0, b0], [1, { id: missingBookingId, reader_id: readers[1] }]] as const) {
    const messageId = uuid();
    const f = addVoiceFile({ booking_id: booking.id, created_at: ts() });
    voiceNotes.push({ id: uuid(), message_id: messageId, file_url: fileUrl(f.bucket, f.name, k), duration_seconds: 30, user_id: uuid(), created_at: ts(0) });
    approvals.push({ id: uuid(), message_id: messageId, reader_id: booking.reader_id, booking_id: booking.id, status: k === 0 ? 'approved' : 'pending', reviewed_by: k === 0 ? monitor : null, created_at: ts(0), updated_at: ts(1) });
    traps[k === 0 ? 'voiceNoteWithoutMessage' : 'voiceNoteWithoutMessageOrBooking'] = messageId;
  }
  if (opts.unmappable) {
    // Nothing says which conversation this voice note belongs to.
    const f = addVoiceFile({ booking_id: 'lost', created_at: ts() });
    voiceNotes.push({ id: uuid(), message_id: uuid(), file_url: fileUrl(f.bucket, f.name, 0), duration_seconds: 12, user_id: uuid(), created_at: ts(0) });
    traps.contextlessVoiceNote = voiceNotes.at(-1)!.id as string;
    // A file that is not in storage, and one hosted outside Supabase.
    const m = makeMessage(b0, b0.user_id as string, 'image'); m.file_url = fileUrl('chat-attachments', `${b0.id as string}/gone.jpg`, 0); messages.push(m);
    traps.missingFile = m.id as string;
    const e = makeMessage(b0, b0.user_id as string, 'file'); e.file_url = 'https://cdn.example.com/uploads/contract.pdf'; messages.push(e);
    traps.externalFile = e.id as string;
  }
  // Moderation flags: one flagged with no reason recorded, one with a reason but no flag.
  { const m = makeMessage(b1, b1.user_id as string, 'text'); m.content = 'flagged, reason never written'; m.flagged = true; m.flagged_reason = '  '; messages.push(m); traps.flaggedWithoutReason = m.id as string; }
  { const m = makeMessage(b1, b1.user_id as string, 'text'); m.content = 'a reason left behind'; m.flagged = false; m.flagged_reason = 'Was reported, then cleared'; messages.push(m); traps.flagReasonWithoutFlag = m.id as string; }
  await insertRows(client, 'public.messages', messages, {
    id: 'uuid', booking_id: 'uuid', sender_id: 'uuid', type: 'text', content: 'text', file_url: 'text', file_name: 'text', file_size: 'int4',
    duration_seconds: 'int4', is_read: 'boolean', is_approved: 'boolean', approved_by: 'uuid', approved_at: 'timestamptz', flagged: 'boolean',
    flagged_reason: 'text', reply_to: 'uuid', created_at: 'timestamptz',
  });
  await insertRows(client, 'public.voice_notes', voiceNotes, {
    id: 'uuid', message_id: 'uuid', file_url: 'text', file_path: 'text', duration_seconds: 'int4', file_size_bytes: 'int4', audio_format: 'text',
    transcription: 'text', quality_rating: 'int4', user_id: 'uuid', created_at: 'timestamptz',
  });
  await client.query(`update public.voice_notes set audio_format = 'mp3' where audio_format is null`);
  await insertRows(client, 'public.voice_note_approvals', approvals, {
    id: 'uuid', message_id: 'uuid', reader_id: 'uuid', booking_id: 'uuid', status: 'text', reviewed_by: 'uuid', review_notes: 'text', created_at: 'timestamptz', updated_at: 'timestamptz',
  });

  // ---- the earlier partial unification: chat_sessions / chat_messages ---------------------------------
  const sessions: Row[] = [];
  const lmsgs: Row[] = [];
  const sessionBookings = bookings.slice(0, Math.max(6, Math.floor(nBookings / 4)));
  for (const [i, b] of sessionBookings.entries()) {
    const participants = [b.user_id, b.reader_id].filter(Boolean) as string[];
    if (i === 1) participants.push(monitor);
    if (i === 2) participants.push(deletedUsers[1]!);
    // Some sessions had their id overwritten with the booking id.
    const id = i === 3 || i === 4 ? (b.id as string) : uuid();
    sessions.push({ id, participants, type: 'booking', booking_id: i === 4 ? null : b.id, status: pick(['active', 'ended', 'active']), created_at: b.created_at, started_at: b.created_at });
    if (i === 3) traps.sessionIdIsBookingId = id;
    if (i === 4) traps.sessionIdIsBookingIdNoBookingColumn = id;
  }
  // A second session for the same booking.
  { const b = sessionBookings[0]!; sessions.push({ id: uuid(), participants: [b.user_id, b.reader_id], type: 'booking', booking_id: b.id, status: 'ended', created_at: ts(), started_at: ts(0) }); traps.duplicateBookingSession = sessions.at(-1)!.id as string; }
  sessions.push({ id: uuid(), participants: [clients[3], readers[2]], type: 'emergency', booking_id: null, status: 'ended', created_at: ts(), emergency_call_id: uuid() });
  traps.emergencySession = sessions.at(-1)!.id as string;
  sessions.push({ id: uuid(), participants: [clients[4], admin], type: 'general', booking_id: null, status: 'active', created_at: ts() });
  traps.generalSession = sessions.at(-1)!.id as string;

  const lstatuses = ['sent', 'sent', 'pending_approval', 'approved', 'rejected', 'deleted'];
  for (const s of sessions) {
    const parts = s.participants as string[];
    const n = 2 + Math.floor(rand() * 6);
    const ids: string[] = [];
    for (let k = 0; k < n; k++) {
      const sender = parts[k % parts.length]!;
      const isVoice = rand() < 0.35;
      const m: Row = { id: uuid(), session_id: s.id, sender_id: sender, type: isVoice ? pick(['voice', 'audio']) : 'text', created_at: ts(), updated_at: ts(0) };
      if (isVoice) {
        const f = addVoiceFile({ booking_id: s.id, created_at: m.created_at });
        m.file_url = fileUrl(f.bucket, f.name, form++);
        m.file_type = 'audio/webm'; m.file_size = 1500; m.duration_seconds = 20;
        m.waveform_data = k % 2 === 0 ? [0.1, 0.5, 0.9, 0.4] : { peaks: [0.2, 0.3, 0.7] };
        m.status = pick(lstatuses);
        if (m.status === 'approved' || m.status === 'rejected') { m.approved_by = monitor; m.approved_at = ts(1); }
        if (m.status === 'rejected') m.metadata = { rejection_reason: 'Too long' };
      } else {
        m.content = `legacy chat ${lmsgs.length}`;
        m.status = rand() < 0.1 ? 'deleted' : 'sent';
      }
      if (m.status === 'deleted') { m.is_deleted = true; m.deleted_at = ts(1); }
      m.read_by = parts.filter((p) => p !== sender && rand() < 0.7);
      m.delivered_to = parts.filter((p) => p !== sender);
      if (ids.length && rand() < 0.2) m.reply_to_message_id = pick(ids);
      if (rand() < 0.1) { m.is_edited = true; m.edited_at = ts(1); }
      ids.push(m.id as string);
      lmsgs.push(m);
    }
  }
  // Points at a booking id where no session ever had that id.
  { const b = bookings[nBookings - 1]!; lmsgs.push({ id: uuid(), session_id: b.id, sender_id: b.user_id, type: 'text', content: 'addressed by booking id', status: 'sent', created_at: ts() }); traps.legacyMessageBookingSession = lmsgs.at(-1)!.id as string; }
  // The earlier unification kept moderation flags in metadata.
  { const s0 = sessions[0]!; lmsgs.push({ id: uuid(), session_id: s0.id, sender_id: (s0.participants as string[])[0], type: 'text', content: 'flagged in metadata', status: 'sent', created_at: ts(), metadata: { flagged: true, flagged_reason: 'Abusive language' } }); traps.legacyFlagged = lmsgs.at(-1)!.id as string; }
  { const s0 = sessions[0]!; lmsgs.push({ id: uuid(), session_id: s0.id, sender_id: (s0.participants as string[])[0], type: 'text', content: 'flagged in metadata, no reason', status: 'sent', created_at: ts(), metadata: { is_flagged: 'true' } }); traps.legacyFlaggedWithoutReason = lmsgs.at(-1)!.id as string; }
  // Points at a session that no longer exists.
  { lmsgs.push({ id: uuid(), session_id: uuid(), sender_id: clients[5], type: 'text', content: 'session vanished', status: 'sent', created_at: ts() }); traps.legacyMessageMissingSession = lmsgs.at(-1)!.id as string; }
  // Copied over earlier from public.messages with the same id.
  let twinToFlag: string | null;
  {
    const src = messages.find((m) => m.type === 'text' && m.booking_id === sessionBookings[0]!.id) ?? messages.find((m) => m.type === 'text')!;
    const target = sessions.find((s) => s.booking_id === src.booking_id) ?? sessions[0]!;
    // Its public.messages twin is flagged: the flag must survive although the legacy row wins.
    lmsgs.push({ id: src.id, session_id: target.id, sender_id: src.sender_id, type: 'text', content: src.content, status: 'sent', created_at: src.created_at });
    twinToFlag = src.flagged ? null : (src.id as string);
    traps.messageInBothGenerations = src.id as string;
  }
  await insertRows(client, 'public.chat_sessions', sessions, {
    id: 'uuid', participants: 'uuid[]', type: 'text', booking_id: 'uuid', status: 'text', created_at: 'timestamptz', started_at: 'timestamptz', emergency_call_id: 'uuid',
  });
  await insertRows(client, 'public.chat_messages', lmsgs, {
    id: 'uuid', session_id: 'uuid', sender_id: 'uuid', type: 'text', content: 'text', file_url: 'text', file_type: 'text', file_size: 'int8',
    duration_seconds: 'int4', waveform_data: 'jsonb', reply_to_message_id: 'uuid', status: 'text', approved_by: 'uuid', approved_at: 'timestamptz',
    delivered_to: 'uuid[]', read_by: 'uuid[]', is_edited: 'boolean', edited_at: 'timestamptz', is_deleted: 'boolean', deleted_at: 'timestamptz',
    metadata: 'jsonb', created_at: 'timestamptz', updated_at: 'timestamptz',
  });
  await client.query(`insert into public.chat_participants default values`);
  if (twinToFlag) await client.query(`update public.messages set flagged = true, flagged_reason = 'Reported on the old app' where id = $1`, [twinToFlag]);

  // An object nobody refers to any more: finalize must not delete it with its bucket.
  putObject('chat-attachments', 'unreferenced/old-avatar.png', 'image/png');
  await insertRows(client, 'storage.objects', objects, { id: 'uuid', bucket_id: 'text', name: 'text', metadata: 'jsonb', created_at: 'timestamptz' });

  return {
    users: { clients, readers, monitor, admin, superAdmin }, deletedUsers, authUserWithoutProfile, missingBookingId, traps,
    counts: { messages: messages.length, voiceNotes: voiceNotes.length, approvals: approvals.length, legacyMessages: lmsgs.length, legacySessions: sessions.length, bookings: bookings.length },
  };
}
