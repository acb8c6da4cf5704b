// Turns whatever the old app stored in file_url / file_path into candidate storage objects.
// Forms met on the live project: public URLs, signed URLs (with ?token=), authenticated URLs,
// image-render URLs, "bucket/path" and bare "path" (bucket implied by the table it came from).

export const OLD_BUCKETS = ['chat-files', 'chat-attachments', 'voice-notes'] as const;
export const TARGET_BUCKET = 'chat-files';

export type ParsedRef =
  | { kind: 'storage'; candidates: { bucket: string; path: string }[] }
  | { kind: 'external'; url: string }
  | { kind: 'empty' };

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * @param knownBuckets buckets that exist on the project (a leading segment naming one is the bucket)
 * @param impliedBuckets buckets to try, in order, for a bare path without a bucket
 */
export function parseFileRef(raw: string | null | undefined, knownBuckets: readonly string[], impliedBuckets: readonly string[]): ParsedRef {
  const ref = (raw ?? '').trim();
  if (!ref) return { kind: 'empty' };
  if (/^https?:\/\//i.test(ref)) {
    let url: URL;
    try {
      url = new URL(ref);
    } catch {
      return { kind: 'external', url: ref };
    }
    const m = /\/storage\/v1\/(?:object|render\/image)\/(?:public|sign|authenticated|info\/public|info\/authenticated)?\/?([^/]+)\/(.+)$/.exec(url.pathname);
    if (!m) return { kind: 'external', url: ref };
    return { kind: 'storage', candidates: [{ bucket: safeDecode(m[1]!), path: m[2]!.split('/').map(safeDecode).join('/') }] };
  }
  const bare = ref.replace(/^\/+/, '').replace(/\?.*$/, '');
  const decoded = bare.split('/').map(safeDecode).join('/');
  const first = decoded.split('/')[0]!;
  const candidates: { bucket: string; path: string }[] = [];
  if (knownBuckets.includes(first) && decoded.length > first.length + 1) {
    candidates.push({ bucket: first, path: decoded.slice(first.length + 1) });
  }
  // "voice-notes/x.webm" may also be a path that really starts with that folder name.
  for (const b of impliedBuckets) candidates.push({ bucket: b, path: decoded });
  if (decoded !== bare) for (const b of impliedBuckets) candidates.push({ bucket: b, path: bare });
  return { kind: 'storage', candidates };
}

const MIME_BY_EXT: Record<string, string> = {
  webm: 'audio/webm', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg', mp3: 'audio/mpeg', mpeg: 'audio/mpeg',
  m4a: 'audio/mp4', mp4: 'audio/mp4', aac: 'audio/aac', wav: 'audio/wav',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
  pdf: 'application/pdf', txt: 'text/plain',
};

export function mimeFromName(name: string | null | undefined): string | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name ?? '')?.[1]?.toLowerCase();
  return ext ? (MIME_BY_EXT[ext] ?? null) : null;
}
