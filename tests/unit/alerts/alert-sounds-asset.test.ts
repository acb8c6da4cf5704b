import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MESSAGE_SOUNDS } from '../../../src/main/alerts';

const root = path.resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'alert-sounds-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const playable = MESSAGE_SOUNDS.filter((sound) => sound !== 'none');

describe('the message alert sounds (resources/sounds, src/renderer/public/sounds)', () => {
  it.each(playable)('%s.wav is short 16-bit PCM mono, quieter than the siren, starting and ending silent', (sound) => {
    const wav = readFileSync(path.join(root, 'resources/sounds', `${sound}.wav`));
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(20)).toBe(1);
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt16LE(34)).toBe(16);
    const samples = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
    expect(samples.length / wav.readUInt32LE(24)).toBeLessThanOrEqual(1.5);
    const peak = samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0);
    expect(peak).toBeGreaterThan(0.3 * 32_767);
    expect(peak).toBeLessThan(0.8 * 32_767);
    expect(Math.abs(samples[0]!)).toBeLessThan(100);
    expect(Math.abs(samples.at(-1)!)).toBeLessThan(100);
    // The renderer serves the same bytes.
    expect(readFileSync(path.join(root, 'src/renderer/public/sounds', `${sound}.wav`)).equals(wav)).toBe(true);
  });

  it('are exactly what scripts/render-alert-sounds.mjs produces, and differ from one another', () => {
    execFileSync(process.execPath, [path.join(root, 'scripts/render-alert-sounds.mjs'), scratch], { cwd: root });
    const files = playable.map((sound) => readFileSync(path.join(scratch, `${sound}.wav`)));
    playable.forEach((sound, i) => expect(files[i]!.equals(readFileSync(path.join(root, 'resources/sounds', `${sound}.wav`))), sound).toBe(true));
    expect(new Set(files.map((f) => f.toString('base64'))).size).toBe(playable.length);
  });
});
