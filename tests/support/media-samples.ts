import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Real media files (tests/fixtures/media, made by its generate.ts) for tests that send attachments: the outbox
 * checks a file's bytes against its declared type and name, so a test file must be what it claims.
 */
export type SampleName =
  | 'image.png'
  | 'image.jpg'
  | 'image.webp'
  | 'pixel.gif'
  | 'voice.webm'
  | 'voice.m4a'
  | 'voice.ogg'
  | 'silence.mp3'
  | 'silence.aac'
  | 'tone.wav'
  | 'document.pdf'
  | 'notes.txt';

// Next to this module, or from the repository root when the module was bundled elsewhere (the crash test's child).
const DIR = [path.resolve(path.dirname(new URL(import.meta.url).pathname), '../fixtures/media'), path.resolve('tests/fixtures/media')].find((dir) =>
  existsSync(path.join(dir, 'image.png')),
) ?? path.resolve('tests/fixtures/media');

export function sample(name: SampleName): Uint8Array {
  return new Uint8Array(readFileSync(path.join(DIR, name)));
}

/**
 * A sample padded (with `fill`) or cut to exactly `size` bytes, for tests that need a given size or distinct
 * contents: the leading bytes (what the type check reads) stay those of the real file.
 */
export function sampleOfSize(name: SampleName, size: number, fill = 0): Uint8Array {
  const real = sample(name);
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set(real.subarray(0, Math.min(size, real.length)));
  return bytes;
}
