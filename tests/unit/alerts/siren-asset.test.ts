import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_TIMINGS } from '../../../src/main/alerts';

const root = path.resolve(import.meta.dirname, '../../..');
const sirenPath = path.join(root, 'resources/siren.wav');
const scratch = mkdtempSync(path.join(tmpdir(), 'siren-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('resources/siren.wav', () => {
  const wav = readFileSync(sirenPath);

  it('is 16-bit PCM mono at 22.05 kHz, as long as the alert center assumes', () => {
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
    expect(wav.readUInt16LE(20)).toBe(1);
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(22_050);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.toString('ascii', 36, 40)).toBe('data');
    const dataBytes = wav.readUInt32LE(40);
    expect(wav.length).toBe(44 + dataBytes);
    expect((dataBytes / 2 / 22_050) * 1000).toBe(ALERT_TIMINGS.sirenDurationMs);
    expect(wav.length).toBeLessThan(100 * 1024);
  });

  it('is loud, never clipped, and starts and ends silent (no click)', () => {
    const samples = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
    const peak = samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0);
    expect(peak).toBeGreaterThan(0.5 * 32_767);
    expect(peak).toBeLessThan(32_767);
    expect(Math.abs(samples[0]!)).toBeLessThan(100);
    expect(Math.abs(samples.at(-1)!)).toBeLessThan(100);
  });

  it('is exactly what scripts/render-siren.mjs produces', () => {
    const output = path.join(scratch, 'siren.wav');
    execFileSync(process.execPath, [path.join(root, 'scripts/render-siren.mjs'), output], { cwd: root });
    expect(readFileSync(output).equals(wav)).toBe(true);
  });
});
