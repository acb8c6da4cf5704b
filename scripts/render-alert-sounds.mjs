// Synthesises the message alert sounds (resources/sounds/*.wav, copied to src/renderer/public/sounds/ for the
// renderer): short, soft tones a person can tell apart from the emergency siren. Plain Node, deterministic output.
// Run by hand after changing it:  node scripts/render-alert-sounds.mjs [output folder ...]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SAMPLE_RATE = 22_050;
// Well below the siren's -1 dBFS: a message is news, not an alarm. The user's volume scales it further.
const PEAK = 0.6;

/** Each sound: notes of [start s, frequency Hz, length s], decaying; partials add timbre. */
const SOUNDS = {
  // Two rising notes (E6, A6), a short decay: the everyday "new message".
  chime: { duration: 0.6, partials: [1, 0.25], decay: 7, notes: [[0, 1318.5, 0.35], [0.14, 1760, 0.45]] },
  // One struck note with inharmonic partials, as a small bell, ringing longer.
  bell: { duration: 1.0, partials: [1, 0.5, 0.3], ratios: [1, 2.76, 5.4], decay: 4, notes: [[0, 880, 1.0]] },
  // Three short low pulses: easy to hear over speech without being shrill.
  pulse: { duration: 0.6, partials: [1, 0.15], decay: 14, notes: [[0, 660, 0.12], [0.18, 660, 0.12], [0.36, 660, 0.12]] },
};
const EDGE_FADE_S = 0.005;

function render({ duration, partials, ratios = partials.map((_, i) => i + 1), decay, notes }) {
  const count = Math.round(SAMPLE_RATE * duration);
  const wave = new Float64Array(count);
  for (const [start, frequency, length] of notes) {
    const first = Math.round(start * SAMPLE_RATE);
    const last = Math.min(count, first + Math.round(length * SAMPLE_RATE));
    for (let i = first; i < last; i++) {
      const t = (i - first) / SAMPLE_RATE;
      // A fast attack and a fade at the note's end: no click where it starts or stops.
      const envelope = Math.min(1, t / EDGE_FADE_S) * Math.exp(-decay * t) * Math.min(1, (last - i) / (EDGE_FADE_S * SAMPLE_RATE));
      let sample = 0;
      partials.forEach((gain, p) => (sample += gain * Math.sin(2 * Math.PI * frequency * ratios[p] * t)));
      wave[i] += sample * envelope;
    }
  }
  const rawPeak = wave.reduce((max, s) => Math.max(max, Math.abs(s)), 0);
  return Int16Array.from(wave, (s) => Math.round((s / rawPeak) * PEAK * 32_767));
}

function wavFile(pcm) {
  const dataBytes = pcm.length * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // integer PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(SAMPLE_RATE, 24);
  wav.writeUInt32LE(SAMPLE_RATE * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < pcm.length; i++) wav.writeInt16LE(pcm[i], 44 + i * 2);
  return wav;
}

const outputs = process.argv.length > 2 ? process.argv.slice(2) : ['resources/sounds', 'src/renderer/public/sounds'];
for (const folder of outputs) {
  mkdirSync(folder, { recursive: true });
  for (const [name, spec] of Object.entries(SOUNDS)) {
    const wav = wavFile(render(spec));
    writeFileSync(path.join(folder, `${name}.wav`), wav);
    console.log(`${path.join(folder, `${name}.wav`)}: ${spec.duration} s, ${wav.length} bytes`);
  }
}
