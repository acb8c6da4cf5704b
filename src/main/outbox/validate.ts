import { open, stat } from 'node:fs/promises';
import { checkContent, TEXT_CHECK_BYTES } from '../media/sniff-type';
import type { EnqueueMessageInput, FileSource } from './types';
import { OutboxInputError } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(?:\s*;.*)?$/i;

/**
 * Local guards: they keep malformed rows out of the durable queue and give an immediate, specific message.
 * The business limits (text length, sizes, types, durations, rate) are the server's, enforced in SQL; the
 * outbox checks the same settings early (OutboxLimits) so a refusal comes before queuing, not after sending.
 * These absolute caps hold whatever the settings say (100,000 is also the setting's own upper bound).
 */
export const OUTBOX_LIMITS = {
  maxTextChars: 100_000,
  maxFileNameChars: 255,
  maxWaveformPeaks: 4096,
  maxDurationMs: 24 * 60 * 60 * 1000,
} as const;

function fail(field: string, message: string, detail?: { messageKey: string; params?: Record<string, string | number> }): never {
  throw new OutboxInputError('outbox.invalid_input', field, message, detail);
}

/**
 * The console settings the outbox enforces before queuing (app_settings, as settings.get returns them). Any
 * limit left out is not checked locally; the server still checks it.
 */
export interface OutboxLimits {
  /** console.message.max_body_length: characters of a text message or caption. */
  maxBodyChars?: number;
  /** console.{audio,image,file}.max_size_bytes */
  maxBytes?: Partial<Record<'audio' | 'image' | 'file', number>>;
  /** console.{audio,image,file}.mime_types */
  mimeTypes?: Partial<Record<'audio' | 'image' | 'file', readonly string[]>>;
}

const positiveInt = (value: unknown) => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
};
const mimeList = (value: unknown) => {
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (!list || !list.every((v) => typeof v === 'string')) return undefined;
  const types = (list as string[]).map((v) => v.trim().toLowerCase()).filter(Boolean);
  return types.length > 0 ? types : undefined;
};

/** OutboxLimits from the console settings (keys as in supabase/migrations/*_app_settings.sql); malformed values are left out. */
export function outboxLimitsFromSettings(settings: Readonly<Record<string, unknown>>): OutboxLimits {
  const kinds = ['audio', 'image', 'file'] as const;
  return {
    maxBodyChars: positiveInt(settings['console.message.max_body_length']),
    maxBytes: Object.fromEntries(kinds.map((k) => [k, positiveInt(settings[`console.${k}.max_size_bytes`])]).filter(([, v]) => v !== undefined)),
    mimeTypes: Object.fromEntries(kinds.map((k) => [k, mimeList(settings[`console.${k}.mime_types`])]).filter(([, v]) => v !== undefined)),
  };
}

function checkBodyLength(field: 'body', body: string, limits: OutboxLimits) {
  const max = Math.min(OUTBOX_LIMITS.maxTextChars, limits.maxBodyChars ?? OUTBOX_LIMITS.maxTextChars);
  // Characters as the server counts them (char_length: code points), never cut: the whole text or a refusal.
  const length = [...body].length;
  if (length > max) {
    fail(field, `A message is at most ${max} characters (console.message.max_body_length); this one has ${length}`, {
      messageKey: 'outbox.error.body_too_long',
      params: { length, max },
    });
  }
}

export function requireUuid(field: string, value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) fail(field, `${field} must be a UUID, got ${JSON.stringify(value)}`);
  return value;
}

function optionalUuid(field: string, value: unknown): string | null {
  return value === undefined || value === null ? null : requireUuid(field, value);
}

function optionalCaption(value: unknown, limits: OutboxLimits): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') fail('body', 'A caption must be text');
  checkBodyLength('body', value, limits);
  return value;
}

export interface ValidatedText {
  kind: 'text';
  sessionId: string;
  body: string;
  replyTo: string | null;
}

export interface ValidatedFile {
  kind: 'audio' | 'image' | 'file';
  sessionId: string;
  body: string | null;
  replyTo: string | null;
  source: FileSource;
  fileName: string;
  mimeType: string;
  durationMs: number | null;
  waveform: number[] | null;
}

export function validateMessage(input: EnqueueMessageInput, limits: OutboxLimits = {}): ValidatedText | ValidatedFile {
  if (input === null || typeof input !== 'object') fail('message', 'A message to send is required');
  const sessionId = requireUuid('sessionId', input.sessionId);
  const replyTo = optionalUuid('replyTo', input.replyTo);
  if (input.kind === 'text') {
    const body = input.body;
    if (typeof body !== 'string' || body.trim() === '') fail('body', 'A text message cannot be empty');
    checkBodyLength('body', body, limits);
    return { kind: 'text', sessionId, body, replyTo };
  }
  if (input.kind !== 'audio' && input.kind !== 'image' && input.kind !== 'file') {
    fail('kind', `Message kind must be text, audio, image or file, got ${JSON.stringify((input as { kind: unknown }).kind)}`);
  }
  const fileName = input.fileName;
  if (
    typeof fileName !== 'string' ||
    fileName.trim() === '' ||
    fileName.length > OUTBOX_LIMITS.maxFileNameChars ||
    /[/\\\0]/.test(fileName) ||
    fileName === '.' ||
    fileName === '..'
  ) {
    fail('fileName', `File name must be 1-${OUTBOX_LIMITS.maxFileNameChars} characters without path separators, got ${JSON.stringify(fileName)}`);
  }
  const mimeType = input.mimeType;
  if (typeof mimeType !== 'string' || !MIME.test(mimeType)) fail('mimeType', `Not a MIME type: ${JSON.stringify(mimeType)}`);
  const major = mimeType.slice(0, mimeType.indexOf('/')).toLowerCase();
  if (input.kind === 'audio' && major !== 'audio') fail('mimeType', `A voice note needs an audio/* MIME type, got ${mimeType}`);
  if (input.kind === 'image' && major !== 'image') fail('mimeType', `An image needs an image/* MIME type, got ${mimeType}`);
  const allowed = limits.mimeTypes?.[input.kind];
  const bareType = mimeType.split(';')[0]!.trim().toLowerCase();
  if (allowed && !allowed.includes(bareType)) {
    fail('mimeType', `${bareType} is not among the allowed ${input.kind} types (${allowed.join(', ')})`, {
      messageKey: 'outbox.error.type_not_allowed',
      params: { declared: bareType, allowed: allowed.join(', ') },
    });
  }
  const source = input.file;
  if (!source || typeof source !== 'object') fail('file', 'The file to send is missing');
  if ('bytes' in source) {
    if (!(source.bytes instanceof Uint8Array)) fail('file', 'File bytes must be a Uint8Array');
    if (source.bytes.byteLength === 0) fail('file', 'The file is empty');
  } else if (typeof (source as { sourcePath?: unknown }).sourcePath !== 'string' || (source as { sourcePath: string }).sourcePath === '') {
    fail('file', 'Give the file as bytes or as a source path');
  }
  let durationMs: number | null = null;
  let waveform: number[] | null = null;
  if (input.kind === 'audio') {
    durationMs = input.durationMs;
    if (!Number.isInteger(durationMs) || durationMs <= 0 || durationMs > OUTBOX_LIMITS.maxDurationMs) {
      fail('durationMs', `A voice note's duration must be a positive whole number of milliseconds, got ${JSON.stringify(input.durationMs)}`);
    }
    waveform = input.waveform;
    if (!Array.isArray(waveform) || waveform.length === 0 || waveform.length > OUTBOX_LIMITS.maxWaveformPeaks) {
      fail('waveform', `A voice note needs 1-${OUTBOX_LIMITS.maxWaveformPeaks} waveform peaks computed at record time`);
    }
    for (const peak of waveform) {
      if (typeof peak !== 'number' || !(peak >= 0 && peak <= 1)) fail('waveform', `Waveform peaks must be numbers from 0 to 1, got ${JSON.stringify(peak)}`);
    }
  }
  return { kind: input.kind, sessionId, body: optionalCaption(input.body, limits), replyTo, source, fileName, mimeType, durationMs, waveform };
}

/** The first bytes of a file (all of them when it is shorter): what the content check reads. */
async function headOf(source: FileSource, length: number): Promise<Uint8Array> {
  if ('bytes' in source) return source.bytes.subarray(0, length);
  const handle = await open(source.sourcePath, 'r').catch((cause: unknown) => fail('file', `Cannot read ${source.sourcePath}: ${String(cause)}`));
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The file's bytes must be what its declared type and its name say (src/main/media/sniff-type.ts), and its size
 * within the setting for its kind. Runs in the main process before anything is stored: a random file named
 * .jpg, or a PNG declared as a PDF, is refused here with the type its bytes really have.
 */
export async function checkFileContent(message: ValidatedFile, sizeBytes: number, limits: OutboxLimits = {}): Promise<void> {
  const maxBytes = limits.maxBytes?.[message.kind];
  if (maxBytes !== undefined && sizeBytes > maxBytes) {
    fail('file', `${message.fileName} has ${sizeBytes} bytes; a ${message.kind} is at most ${maxBytes} (console.${message.kind}.max_size_bytes)`, {
      messageKey: 'outbox.error.file_too_large',
      params: { fileName: message.fileName, sizeBytes, maxBytes },
    });
  }
  const check = checkContent({ fileName: message.fileName, mimeType: message.mimeType, head: await headOf(message.source, TEXT_CHECK_BYTES) });
  if (check.ok) return;
  if (check.reason === 'unrecognised') {
    fail('file', `${message.fileName}: its bytes are not a ${check.declared} file (no known signature)`, {
      messageKey: 'outbox.error.content_unrecognised',
      params: { fileName: message.fileName, declared: check.declared },
    });
  }
  const claim = check.disagreesWith === 'declared' ? `declared as ${check.declared}` : `named as ${check.named}`;
  fail('file', `${message.fileName}: its bytes are ${check.detected}, but it is ${claim}`, {
    messageKey: 'outbox.error.content_mismatch',
    params: { fileName: message.fileName, declared: check.disagreesWith === 'declared' ? check.declared : (check.named ?? check.declared), detected: check.detected },
  });
}

/** Size of a picked file, checked before copying so a missing or empty file fails with its own message. */
export async function sourceSize(source: FileSource): Promise<number> {
  if ('bytes' in source) return source.bytes.byteLength;
  const info = await stat(source.sourcePath).catch((cause: unknown) => fail('file', `Cannot read ${source.sourcePath}: ${String(cause)}`));
  if (!info.isFile()) fail('file', `${source.sourcePath} is not a regular file`);
  if (info.size === 0) fail('file', `${source.sourcePath} is empty`);
  return info.size;
}
