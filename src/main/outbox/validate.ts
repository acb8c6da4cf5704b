import { stat } from 'node:fs/promises';
import type { EnqueueMessageInput, FileSource } from './types';
import { OutboxInputError } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(?:\s*;.*)?$/i;

/**
 * Local guards only: they keep malformed rows out of the durable queue and
 * give an immediate, specific message. The business limits (text length,
 * sizes, durations, rate) are the server's, enforced in SQL.
 */
export const OUTBOX_LIMITS = {
  maxTextChars: 100_000,
  maxFileNameChars: 255,
  maxWaveformPeaks: 4096,
  maxDurationMs: 24 * 60 * 60 * 1000,
} as const;

function fail(field: string, message: string): never {
  throw new OutboxInputError('outbox.invalid_input', field, message);
}

export function requireUuid(field: string, value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) fail(field, `${field} must be a UUID, got ${JSON.stringify(value)}`);
  return value;
}

function optionalUuid(field: string, value: unknown): string | null {
  return value === undefined || value === null ? null : requireUuid(field, value);
}

function optionalCaption(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') fail('body', 'A caption must be text');
  if (value.length > OUTBOX_LIMITS.maxTextChars) fail('body', `A caption is at most ${OUTBOX_LIMITS.maxTextChars} characters`);
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

export function validateMessage(input: EnqueueMessageInput): ValidatedText | ValidatedFile {
  if (input === null || typeof input !== 'object') fail('message', 'A message to send is required');
  const sessionId = requireUuid('sessionId', input.sessionId);
  const replyTo = optionalUuid('replyTo', input.replyTo);
  if (input.kind === 'text') {
    const body = input.body;
    if (typeof body !== 'string' || body.trim() === '') fail('body', 'A text message cannot be empty');
    if (body.length > OUTBOX_LIMITS.maxTextChars) fail('body', `A text message is at most ${OUTBOX_LIMITS.maxTextChars} characters`);
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
  return { kind: input.kind, sessionId, body: optionalCaption(input.body), replyTo, source, fileName, mimeType, durationMs, waveform };
}

/** Size of a picked file, checked before copying so a missing or empty file fails with its own message. */
export async function sourceSize(source: FileSource): Promise<number> {
  if ('bytes' in source) return source.bytes.byteLength;
  const info = await stat(source.sourcePath).catch((cause: unknown) => fail('file', `Cannot read ${source.sourcePath}: ${String(cause)}`));
  if (!info.isFile()) fail('file', `${source.sourcePath} is not a regular file`);
  if (info.size === 0) fail('file', `${source.sourcePath} is empty`);
  return info.size;
}
