import { describe, expect, it } from 'vitest';
import { canonicalMimeType, checkContent, sniffType, typeOfFileName } from '../../../src/main/media/sniff-type';
import { sample, type SampleName } from '../../support/media-samples';

// Real files from real encoders where this machine has one (tests/fixtures/media/generate.ts says which).
const EXPECTED: [SampleName, string][] = [
  ['image.png', 'image/png'],
  ['image.jpg', 'image/jpeg'],
  ['image.webp', 'image/webp'],
  ['pixel.gif', 'image/gif'],
  ['voice.webm', 'audio/webm'],
  ['voice.m4a', 'audio/mp4'],
  ['voice.ogg', 'audio/ogg'],
  ['silence.mp3', 'audio/mpeg'],
  ['silence.aac', 'audio/aac'],
  ['tone.wav', 'audio/wav'],
  ['document.pdf', 'application/pdf'],
  ['notes.txt', 'text/plain'],
];

// What the chat bucket allows by default (console.{audio,image,file}.mime_types): every one must be recognised.
const ALLOWED = ['audio/webm', 'audio/ogg', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav', 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf', 'text/plain'];

/** Deterministic noise (a linear congruential generator), so the "random bytes" case never flakes. */
function noise(length: number, seed = 12345): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

describe('sniffType', () => {
  it.each(EXPECTED)('recognises %s as %s from its bytes', (name, type) => {
    expect(sniffType(sample(name))).toBe(type);
  });

  it('recognises every type the console allows by default', () => {
    const recognised = new Set(EXPECTED.map(([name]) => sniffType(sample(name))));
    expect(ALLOWED.filter((type) => !recognised.has(type))).toEqual([]);
  });

  it('decides from the head alone (what the outbox reads of a large file)', () => {
    for (const [name, type] of EXPECTED) expect(sniffType(sample(name).subarray(0, 4096))).toBe(type);
  });

  it('finds nothing in random bytes, a truncated signature, or binary that is no known type', () => {
    expect(sniffType(noise(2048))).toBeNull();
    expect(sniffType(sample('image.png').subarray(0, 3))).toBeNull();
    expect(sniffType(new Uint8Array([0x00, 0x01, 0x02, 0x03, 0x04]))).toBeNull();
  });

  it('names common types the console refuses, so the error can say what the file is', () => {
    expect(sniffType(new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03]))).toBe('application/x-msdownload');
    expect(sniffType(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]))).toBe('application/zip');
    expect(sniffType(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02]))).toBe('application/x-executable');
  });

  it('treats UTF-8 (any script) and UTF-16 with a BOM as text, and NUL bytes as binary', () => {
    expect(sniffType(new TextEncoder().encode('قراءة التاروت\r\n\tThe Tower 🗼'))).toBe('text/plain');
    expect(sniffType(new Uint8Array([0xff, 0xfe, 0x41, 0x00, 0x42, 0x00]))).toBe('text/plain');
    expect(sniffType(new Uint8Array([0x41, 0x42, 0x00, 0x43]))).toBeNull();
    // A multi-byte character cut by the end of the checked range is still text.
    const cut = new TextEncoder().encode('النجمة').subarray(0, 5);
    expect(sniffType(cut)).toBe('text/plain');
  });
});

describe('checkContent', () => {
  it('accepts a file whose bytes, declared type and name agree (parameters and aliases included)', () => {
    expect(checkContent({ fileName: 'voice-2026-01-01.webm', mimeType: 'audio/webm;codecs=opus', head: sample('voice.webm') })).toEqual({ ok: true, detected: 'audio/webm' });
    expect(checkContent({ fileName: 'spread.JPG', mimeType: 'image/jpg', head: sample('image.jpg') })).toEqual({ ok: true, detected: 'image/jpeg' });
    expect(checkContent({ fileName: 'note.m4a', mimeType: 'audio/x-m4a', head: sample('voice.m4a') })).toEqual({ ok: true, detected: 'audio/mp4' });
    // A name without a known extension claims nothing.
    expect(checkContent({ fileName: 'reading', mimeType: 'application/pdf', head: sample('document.pdf') }).ok).toBe(true);
  });

  it('refuses random bytes named .jpg and declared image/jpeg', () => {
    expect(checkContent({ fileName: 'photo.jpg', mimeType: 'image/jpeg', head: noise(4096) })).toEqual({ ok: false, reason: 'unrecognised', declared: 'image/jpeg' });
  });

  it('refuses bytes of another type than declared, and a name that says otherwise', () => {
    expect(checkContent({ fileName: 'photo.jpg', mimeType: 'image/jpeg', head: sample('image.png') })).toEqual({
      ok: false, reason: 'mismatch', declared: 'image/jpeg', detected: 'image/png', named: 'image/jpeg', disagreesWith: 'declared',
    });
    expect(checkContent({ fileName: 'photo.jpg', mimeType: 'image/png', head: sample('image.png') })).toEqual({
      ok: false, reason: 'mismatch', declared: 'image/png', detected: 'image/png', named: 'image/jpeg', disagreesWith: 'name',
    });
    expect(checkContent({ fileName: 'invoice.pdf', mimeType: 'application/pdf', head: sample('notes.txt') })).toMatchObject({ ok: false, detected: 'text/plain' });
    expect(checkContent({ fileName: 'readme.txt', mimeType: 'text/plain', head: new Uint8Array([0x4d, 0x5a, 0x90, 0x00]) })).toMatchObject({ ok: false, detected: 'application/x-msdownload' });
  });

  it('reads names and declared types the way browsers spell them', () => {
    expect(typeOfFileName('Voice Note.WEBM')).toBe('audio/webm');
    expect(typeOfFileName('archive.tar.gz')).toBeNull();
    expect(canonicalMimeType(' Audio/WAVE ; rate=8000')).toBe('audio/wav');
  });
});
