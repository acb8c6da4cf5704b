import path from 'node:path';

// The chat bucket's file types (supabase/migrations/*_storage.sql), by extension, for serving cached copies.
const TYPES: Record<string, string> = {
  '.webm': 'audio/webm',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.wav': 'audio/wav',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
};

export const mediaTypeOf = (storagePath: string): string => TYPES[path.extname(storagePath).toLowerCase()] ?? 'application/octet-stream';
