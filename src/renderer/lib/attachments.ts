import { FALLBACK_LIMITS, type ConsoleLimits } from './limits';

/** The fallback size cap (until the server's limits are known). */
export const MAX_ATTACHMENT_BYTES = FALLBACK_LIMITS.fileMaxBytes;

export type AttachmentCheck =
  | { ok: true; kind: 'audio' | 'image' | 'file'; mimeType: string }
  | { ok: false; reason: 'composer.attachTooLarge'; limitBytes: number }
  | { ok: false; reason: 'composer.attachType' | 'composer.attachEmpty' };

/** Checked before anything is queued, against the console limits (per kind: audio, image, other file). */
export function checkAttachment(file: { size: number; type: string }, limits: ConsoleLimits = FALLBACK_LIMITS): AttachmentCheck {
  const mimeType = file.type.split(';')[0]!.trim().toLowerCase();
  if (file.size === 0) return { ok: false, reason: 'composer.attachEmpty' };
  const kind = limits.audioMimeTypes.has(mimeType) ? 'audio' : limits.imageMimeTypes.has(mimeType) ? 'image' : limits.fileMimeTypes.has(mimeType) ? 'file' : null;
  if (!kind) return { ok: false, reason: 'composer.attachType' };
  const limitBytes = kind === 'audio' ? limits.audioMaxBytes : kind === 'image' ? limits.imageMaxBytes : limits.fileMaxBytes;
  if (file.size > limitBytes) return { ok: false, reason: 'composer.attachTooLarge', limitBytes };
  return { ok: true, kind, mimeType };
}
