/** Peaks of a recording, computed once when it ends: the largest absolute sample per bucket, scaled to [0, 1]. */
export function computePeaks(channels: readonly Float32Array[], count = 200): number[] {
  const length = channels[0]?.length ?? 0;
  if (length === 0 || count <= 0) return [];
  const buckets = Math.min(count, length);
  const size = length / buckets;
  const peaks = new Array<number>(buckets).fill(0);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.max(from + 1, Math.floor((b + 1) * size));
    let max = 0;
    for (const channel of channels) {
      for (let i = from; i < to; i++) {
        const v = Math.abs(channel[i] ?? 0);
        if (v > max) max = v;
      }
    }
    peaks[b] = max;
  }
  const loudest = Math.max(...peaks);
  // Normalised so quiet recordings still draw a readable waveform; rounded to keep the stored row small.
  return peaks.map((p) => (loudest > 0 ? Math.round((p / loudest) * 1000) / 1000 : 0));
}

/** Decodes a recording with Web Audio and computes its peaks and exact duration. */
export async function analyseRecording(blob: Blob, count = 200): Promise<{ peaks: number[]; durationMs: number }> {
  const context = new AudioContext();
  try {
    const buffer = await context.decodeAudioData(await blob.arrayBuffer());
    const channels = Array.from({ length: buffer.numberOfChannels }, (_, i) => buffer.getChannelData(i));
    return { peaks: computePeaks(channels, count), durationMs: Math.max(1, Math.round(buffer.duration * 1000)) };
  } finally {
    void context.close();
  }
}

export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

export function base64ToBlob(base64: string, mimeType: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: mimeType });
}
