// Synthesises resources/siren.wav: the emergency siren, a two-tone "hi-lo" played once per alert.
// Plain Node, deterministic output (same bytes every run). Run by hand after changing it:
//   node scripts/render-siren.mjs [output path]
import { writeFileSync } from 'node:fs';

const SAMPLE_RATE = 22_050;
const DURATION_S = 2;
// Two tones a minor third-ish apart, the interval emergency sirens use because it cuts through speech.
const TONES_HZ = [960, 770];
const TONE_S = 0.25;
// Short ramps where the tone changes and at both ends: a hard edge in a waveform is heard as a click.
const GLIDE_S = 0.012;
const EDGE_FADE_S = 0.02;
// Normalised to this peak (about -1 dBFS): an alarm should be as loud as the file allows without clipping.
const PEAK = 0.89;

const sampleCount = Math.round(SAMPLE_RATE * DURATION_S);
const wave = new Float64Array(sampleCount);
let phase = 0;

for (let i = 0; i < sampleCount; i++) {
  const t = i / SAMPLE_RATE;
  const step = Math.floor(t / TONE_S);
  const intoStep = t - step * TONE_S;
  const current = TONES_HZ[step % 2];
  const previous = TONES_HZ[(step + 1) % 2];
  // Glide the frequency (not the amplitude) between tones and integrate it, so the phase stays continuous.
  const glide = step === 0 ? 1 : Math.min(1, intoStep / GLIDE_S);
  const frequency = previous + (current - previous) * glide;
  phase += (2 * Math.PI * frequency) / SAMPLE_RATE;
  // A little third harmonic makes it sound like a siren rather than a test tone, and carries on small speakers.
  const fadeIn = Math.min(1, t / EDGE_FADE_S);
  const fadeOut = Math.min(1, (DURATION_S - t) / EDGE_FADE_S);
  wave[i] = (Math.sin(phase) + 0.3 * Math.sin(3 * phase)) * Math.max(0, Math.min(fadeIn, fadeOut));
}

// The harmonic's peaks do not line up with the fundamental's, so measure the real peak rather than assume it.
const rawPeak = wave.reduce((max, sample) => Math.max(max, Math.abs(sample)), 0);
const pcm = Int16Array.from(wave, (sample) => Math.round((sample / rawPeak) * PEAK * 32_767));

const dataBytes = pcm.length * 2;
const wav = Buffer.alloc(44 + dataBytes);
wav.write('RIFF', 0, 'ascii');
wav.writeUInt32LE(36 + dataBytes, 4);
wav.write('WAVE', 8, 'ascii');
wav.write('fmt ', 12, 'ascii');
wav.writeUInt32LE(16, 16); // PCM fmt chunk size
wav.writeUInt16LE(1, 20); // format: integer PCM
wav.writeUInt16LE(1, 22); // channels: mono
wav.writeUInt32LE(SAMPLE_RATE, 24);
wav.writeUInt32LE(SAMPLE_RATE * 2, 28); // byte rate
wav.writeUInt16LE(2, 32); // block align
wav.writeUInt16LE(16, 34); // bits per sample
wav.write('data', 36, 'ascii');
wav.writeUInt32LE(dataBytes, 40);
for (let i = 0; i < pcm.length; i++) wav.writeInt16LE(pcm[i], 44 + i * 2);

const output = process.argv[2] ?? 'resources/siren.wav';
writeFileSync(output, wav);
console.log(`${output}: ${DURATION_S} s, ${SAMPLE_RATE} Hz, 16-bit mono, ${wav.length} bytes`);
