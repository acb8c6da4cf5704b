/**
 * Peaks and duration of a 16-bit PCM WAV, computed once as the console does at record time. Other formats
 * would need a decoder this tool does not carry: their --peaks and --duration-ms are given instead.
 * Returns null when the bytes are not a 16-bit PCM WAV.
 */
export function wavPeaks(bytes: Uint8Array, count = 100): { peaks: number[]; durationMs: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.byteLength < 44 || text(0) !== 'RIFF' || text(8) !== 'WAVE') return null;
  let offset = 12;
  let channels = 1;
  let rate = 0;
  let bits = 0;
  while (offset + 8 <= bytes.byteLength) {
    const id = text(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      channels = view.getUint16(offset + 10, true);
      rate = view.getUint32(offset + 12, true);
      bits = view.getUint16(offset + 22, true);
    } else if (id === 'data' && bits === 16 && rate > 0 && channels > 0) {
      const frames = Math.floor(Math.min(size, bytes.byteLength - offset - 8) / (2 * channels));
      if (frames === 0) return null;
      const peaks = new Array<number>(count).fill(0);
      for (let f = 0; f < frames; f++) {
        const v = Math.abs(view.getInt16(offset + 8 + f * 2 * channels, true)) / 32768;
        const bucket = Math.min(count - 1, Math.floor((f / frames) * count));
        if (v > peaks[bucket]!) peaks[bucket] = v;
      }
      return { peaks: peaks.map((p) => Math.round(p * 1000) / 1000), durationMs: Math.round((frames / rate) * 1000) };
    }
    offset += 8 + size + (size % 2);
  }
  return null;
}
