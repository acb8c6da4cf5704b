/** What the chat-files bucket accepts (supabase/migrations/*_storage.sql); checked before anything is queued. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
export const ALLOWED_MIME_TYPES: ReadonlySet<string> = new Set([
  'audio/webm', 'audio/ogg', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav',
  'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf', 'text/plain',
]);

export type AttachmentCheck =
  | { ok: true; kind: 'audio' | 'image' | 'file'; mimeType: string }
  | { ok: false; reason: 'composer.attachTooLarge' | 'composer.attachType' | 'composer.attachEmpty' };

export function checkAttachment(file: { size: number; type: string }): AttachmentCheck {
  const mimeType = file.type.split(';')[0]!.trim().toLowerCase();
  if (file.size === 0) return { ok: false, reason: 'composer.attachEmpty' };
  if (file.size > MAX_ATTACHMENT_BYTES) return { ok: false, reason: 'composer.attachTooLarge' };
  if (!ALLOWED_MIME_TYPES.has(mimeType)) return { ok: false, reason: 'composer.attachType' };
  const kind = mimeType.startsWith('audio/') ? 'audio' : mimeType.startsWith('image/') ? 'image' : 'file';
  return { ok: true, kind, mimeType };
}
