import path from 'node:path';

/**
 * What a file's bytes say it is. The declared type (the renderer's File.type, which the browser takes from
 * the name) and the name are claims; the magic bytes are evidence. Covers every type the chat bucket accepts
 * (supabase/migrations/*_app_settings.sql: console.{audio,image,file}.mime_types) and names the common types it
 * refuses, so an error can say what a file really is.
 */

/** How many leading bytes sniffType needs to decide (a text file is checked further: see TEXT_CHECK_BYTES). */
export const SNIFF_HEAD_BYTES = 4096;
/** Text has no signature: this much of it must be clean UTF-8 (or UTF-16 with a BOM) without binary control bytes. */
export const TEXT_CHECK_BYTES = 1024 * 1024;

const ascii = (bytes: Uint8Array, at: number, text: string) => {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
};
const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
const indexOfAscii = (bytes: Uint8Array, text: string, limit: number) => {
  const end = Math.min(bytes.length, limit) - text.length;
  for (let i = 0; i <= end; i++) if (ascii(bytes, i, text)) return i;
  return -1;
};

// MPEG audio frame header: 11 sync bits, then version, layer, bitrate and sample-rate fields that random bytes rarely satisfy.
const MP3_BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_SAMPLE_RATES_V1 = [44100, 48000, 32000];
function mpegFrameLength(bytes: Uint8Array, at: number): number | null {
  const b1 = bytes[at + 1];
  const b2 = bytes[at + 2];
  if (bytes[at] !== 0xff || b1 === undefined || b2 === undefined || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 0b11; // 00 MPEG-2.5, 01 reserved, 10 MPEG-2, 11 MPEG-1
  const layer = (b1 >> 1) & 0b11; // 00 reserved (ADTS uses it), 01 layer III, 10 II, 11 I
  const bitrateIndex = (b2 >> 4) & 0b1111;
  const rateIndex = (b2 >> 2) & 0b11;
  if (version === 0b01 || layer === 0b00 || bitrateIndex === 0 || bitrateIndex === 0b1111 || rateIndex === 0b11) return null;
  // Exact only for MPEG-1 layer III (the usual .mp3); other versions and layers just pass the field checks.
  if (version === 0b11 && layer === 0b01) {
    const padding = (b2 >> 1) & 1;
    return Math.floor((144 * MP3_BITRATES_V1_L3[bitrateIndex]! * 1000) / MP3_SAMPLE_RATES_V1[rateIndex]!) + padding;
  }
  return 0;
}

function sniffMpegAudio(bytes: Uint8Array): string | null {
  let at = 0;
  if (ascii(bytes, 0, 'ID3') && bytes.length >= 10) {
    // ID3v2 tag: a syncsafe 28-bit size after the 6-byte header; the audio frames follow it.
    const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
    at = 10 + size;
    // A tag larger than the sniffed head still says MPEG audio: ID3v2 precedes nothing else the console takes.
    if (at + 4 > bytes.length) return 'audio/mpeg';
  }
  const length = mpegFrameLength(bytes, at);
  if (length === null) return null;
  // When the next frame lies within the head it must start with a sync word too.
  if (length > 0 && at + length + 2 <= bytes.length && mpegFrameLength(bytes, at + length) === null) return null;
  return 'audio/mpeg';
}

// ISO base media (MP4, M4A, HEIF, AVIF, QuickTime): "ftyp" then the major brand.
const FTYP_BRANDS: Record<string, string> = {
  'M4A ': 'audio/mp4',
  'M4B ': 'audio/mp4',
  'M4P ': 'audio/mp4',
  'F4A ': 'audio/mp4',
  'F4B ': 'audio/mp4',
  isom: 'audio/mp4',
  iso2: 'audio/mp4',
  iso5: 'audio/mp4',
  iso6: 'audio/mp4',
  mp41: 'audio/mp4',
  mp42: 'audio/mp4',
  dash: 'audio/mp4',
  MSNV: 'audio/mp4',
  'qt  ': 'video/quicktime',
  heic: 'image/heic',
  heix: 'image/heic',
  hevc: 'image/heic',
  mif1: 'image/heic',
  msf1: 'image/heic',
  avif: 'image/avif',
  avis: 'image/avif',
  '3gp4': 'video/3gpp',
  '3gp5': 'video/3gpp',
  '3gp6': 'video/3gpp',
  '3g2a': 'video/3gpp2',
};

function sniffEbml(bytes: Uint8Array): string {
  // The EBML header carries a DocType element (ID 0x4282) whose value is "webm" or "matroska".
  const limit = Math.min(bytes.length, 64);
  for (let i = 4; i < limit - 2; i++) {
    if (bytes[i] === 0x42 && bytes[i + 1] === 0x82) {
      if (indexOfAscii(bytes.subarray(i + 2, i + 16), 'webm', 14) >= 0) return 'audio/webm';
      if (indexOfAscii(bytes.subarray(i + 2, i + 20), 'matroska', 18) >= 0) return 'video/x-matroska';
    }
  }
  return 'video/x-matroska';
}

function isText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let text: string;
  try {
    if (startsWith(bytes, [0xff, 0xfe])) text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2, bytes.length - (bytes.length % 2)));
    else if (startsWith(bytes, [0xfe, 0xff])) text = new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2, bytes.length - (bytes.length % 2)));
    // stream: a multi-byte character cut by the end of the checked range is not an error.
    else text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return false;
  }
  // Tab, line feed, form feed and carriage return are text; NUL and the other C0 controls (but ESC) are binary.
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f\u007f]/.test(text);
}

/**
 * The MIME type the bytes carry, or null when they match nothing known (random bytes, a truncated file).
 * `text/plain` only when the checked bytes are clean text and no binary signature matched.
 */
export function sniffType(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'image/gif';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'image/webp';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE')) return 'audio/wav';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'AVI ')) return 'video/x-msvideo';
  if (ascii(bytes, 0, 'OggS')) return 'audio/ogg';
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return sniffEbml(bytes);
  if (ascii(bytes, 4, 'ftyp')) return FTYP_BRANDS[String.fromCharCode(...bytes.subarray(8, 12))] ?? 'video/mp4';
  if (ascii(bytes, 0, 'ADIF')) return 'audio/aac';
  // ADTS: sync word, layer 00, then a valid sampling-frequency index.
  if (bytes[0] === 0xff && bytes.length > 2 && (bytes[1]! & 0xf6) === 0xf0 && ((bytes[2]! >> 2) & 0x0f) < 13) return 'audio/aac';
  if (ascii(bytes, 0, 'fLaC')) return 'audio/flac';
  if (indexOfAscii(bytes, '%PDF-', 1024) >= 0) return 'application/pdf';
  if (ascii(bytes, 0, 'BM') && bytes.length > 14) return 'image/bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'image/vnd.microsoft.icon';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'application/zip';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'application/gzip';
  if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return 'application/x-7z-compressed';
  if (ascii(bytes, 0, 'Rar!')) return 'application/vnd.rar';
  if (ascii(bytes, 0, 'MZ')) return 'application/x-msdownload';
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'application/x-executable';
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'application/x-ole-storage';
  // A UTF-16 byte-order mark (FF FE) also looks like an MPEG sync word: text that decodes cleanly wins.
  if ((startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) && isText(bytes.subarray(0, TEXT_CHECK_BYTES))) return 'text/plain';
  const mpeg = sniffMpegAudio(bytes);
  if (mpeg) return mpeg;
  if (isText(bytes.subarray(0, TEXT_CHECK_BYTES))) return 'text/plain';
  return null;
}

// Other spellings of the same types (what browsers and operating systems declare) → the console's name.
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'audio/aacp': 'audio/aac',
  'audio/opus': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'video/webm': 'audio/webm',
  'application/x-pdf': 'application/pdf',
};

/** "Audio/WebM; codecs=opus" → "audio/webm"; aliases → the console's spelling. */
export function canonicalMimeType(mimeType: string): string {
  const bare = mimeType.split(';')[0]!.trim().toLowerCase();
  return ALIASES[bare] ?? bare;
}

// What a file name's extension claims (the chat bucket's types and a few the console refuses).
const EXTENSION_TYPES: Record<string, string> = {
  '.webm': 'audio/webm',
  '.weba': 'audio/webm',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.aac': 'audio/aac',
  '.wav': 'audio/wav',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jfif': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/plain',
  '.csv': 'text/plain',
  '.heic': 'image/heic',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.zip': 'application/zip',
  '.exe': 'application/x-msdownload',
  '.mkv': 'video/x-matroska',
  '.mov': 'video/quicktime',
  '.flac': 'audio/flac',
};

/** The type a file name claims by its extension, or null when the extension says nothing the console knows. */
export function typeOfFileName(fileName: string): string | null {
  return EXTENSION_TYPES[path.extname(fileName).toLowerCase()] ?? null;
}

export type ContentCheck =
  | { ok: true; detected: string }
  | { ok: false; reason: 'unrecognised'; declared: string }
  | { ok: false; reason: 'mismatch'; declared: string; detected: string; named: string | null; disagreesWith: 'declared' | 'name' };

/** Do the bytes, the declared type and the name agree? The bytes decide; a name without a known extension claims nothing. */
export function checkContent(input: { fileName: string; mimeType: string; head: Uint8Array }): ContentCheck {
  const declared = canonicalMimeType(input.mimeType);
  const detected = sniffType(input.head);
  if (detected === null) return { ok: false, reason: 'unrecognised', declared };
  const named = typeOfFileName(input.fileName);
  if (detected !== declared) return { ok: false, reason: 'mismatch', declared, detected, named, disagreesWith: 'declared' };
  if (named !== null && named !== detected) return { ok: false, reason: 'mismatch', declared, detected, named, disagreesWith: 'name' };
  return { ok: true, detected };
}
