import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface RangeResponse {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** Null for 416 and for HEAD requests. */
  body: Readable | null;
}

/**
 * Serves a file with HTTP range support, so <audio> can seek in a long voice note without reading it whole.
 * One implementation for both shells: Electron's media protocol and the web shell's /media route.
 */
export async function rangeResponse(filePath: string, rangeHeader: string | null, contentType: string, head = false): Promise<RangeResponse> {
  const { size } = await stat(filePath);
  const base = { 'Accept-Ranges': 'bytes', 'Content-Type': contentType, 'Cache-Control': 'private, max-age=3600', 'X-Content-Type-Options': 'nosniff' };
  if (!rangeHeader) {
    return { status: 200, headers: { ...base, 'Content-Length': String(size) }, body: head ? null : createReadStream(filePath) };
  }
  const match = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
  let start = match?.[1] ? Number(match[1]) : NaN;
  let end = match?.[2] ? Number(match[2]) : NaN;
  if (match && !match[1] && match[2]) {
    // "bytes=-N": the last N bytes.
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else if (match && match[1] && !match[2]) {
    end = size - 1;
  }
  if (!match || !Number.isFinite(start) || !Number.isFinite(end) || start > end || start >= size) {
    return { status: 416, headers: { ...base, 'Content-Range': `bytes */${size}` }, body: null };
  }
  end = Math.min(end, size - 1);
  return {
    status: 206,
    headers: { ...base, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': String(end - start + 1) },
    body: head ? null : createReadStream(filePath, { start, end }),
  };
}
