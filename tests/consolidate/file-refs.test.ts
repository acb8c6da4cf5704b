// Every form of file reference the old app stored, resolved to candidate storage objects.
import { describe, expect, it } from 'vitest';
import { mimeFromName, parseFileRef } from '../../tools/consolidate/file-refs.ts';
import { parseCsv } from './support/legacy-schema.ts';

const BUCKETS = ['chat-files', 'chat-attachments', 'voice-notes'];
const P = 'https://abcdefghijklmnopqrst.supabase.co';

describe('parseFileRef', () => {
  it.each([
    [`${P}/storage/v1/object/public/voice-notes/b1/a%20b.webm`, 'voice-notes', 'b1/a b.webm'],
    [`${P}/storage/v1/object/sign/chat-attachments/b1/x.jpg?token=eyJ.abc`, 'chat-attachments', 'b1/x.jpg'],
    [`${P}/storage/v1/object/authenticated/chat-files/s/m/f.pdf`, 'chat-files', 's/m/f.pdf'],
    [`${P}/storage/v1/render/image/public/chat-attachments/b1/p.png?width=200`, 'chat-attachments', 'b1/p.png'],
    [`${P}/storage/v1/object/public/voice-notes/${encodeURIComponent('رسالة')}.webm`, 'voice-notes', 'رسالة.webm'],
  ])('URL %s', (url, bucket, path) => {
    expect(parseFileRef(url, BUCKETS, ['chat-attachments'])).toEqual({ kind: 'storage', candidates: [{ bucket, path }] });
  });

  it('bucket/path tries the named bucket first, then the path as a whole in the implied buckets', () => {
    const r = parseFileRef('voice-notes/b1/v.webm', BUCKETS, ['voice-notes', 'chat-attachments']);
    expect(r.kind === 'storage' && r.candidates[0]).toEqual({ bucket: 'voice-notes', path: 'b1/v.webm' });
    expect(r.kind === 'storage' && r.candidates[1]).toEqual({ bucket: 'voice-notes', path: 'voice-notes/b1/v.webm' });
  });

  it('a bare path is looked up in the implied buckets, in order; leading slashes and query strings go', () => {
    const r = parseFileRef('/b1/v.webm?x=1', BUCKETS, ['voice-notes', 'chat-files']);
    expect(r).toEqual({ kind: 'storage', candidates: [{ bucket: 'voice-notes', path: 'b1/v.webm' }, { bucket: 'chat-files', path: 'b1/v.webm' }] });
  });

  it('URLs outside Supabase Storage and empty values are told apart', () => {
    expect(parseFileRef('https://cdn.example.com/a.pdf', BUCKETS, [])).toEqual({ kind: 'external', url: 'https://cdn.example.com/a.pdf' });
    expect(parseFileRef('  ', BUCKETS, [])).toEqual({ kind: 'empty' });
    expect(parseFileRef(null, BUCKETS, [])).toEqual({ kind: 'empty' });
  });
});

describe('names and types', () => {
  it('guesses content types from extensions', () => {
    expect(mimeFromName('a.WEBM')).toBe('audio/webm');
    expect(mimeFromName('a.jpeg')).toBe('image/jpeg');
    expect(mimeFromName('a')).toBeNull();
  });
});

describe('live-columns.csv parsing', () => {
  it('keeps quoted commas and doubled quotes inside a field', () => {
    expect(parseCsv('a,b,c\npublic,t,"timezone(\'utc\'::text, now())"\nx,"say ""hi""",z\n')).toEqual([
      ['a', 'b', 'c'], ['public', 't', "timezone('utc'::text, now())"], ['x', 'say "hi"', 'z'],
    ]);
  });
});
