import { deflateSync } from 'node:zlib';

/**
 * The Windows taskbar overlay that carries the unread count (Windows shows no badge count: `app.setBadgeCount`
 * does nothing there). Drawn here as a PNG from a small pixel font, so there is no image per number to ship and
 * no drawing dependency: a rounded red square with the count in white, "99+" past 99. Pure Node, no Electron:
 * the shell wraps the PNG in a NativeImage.
 */

/** Digits and '+' of a 3×5 pixel font, one string per row ('#' is ink). */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '+': ['...', '.#.', '###', '.#.', '...'],
};
const GLYPH_WIDTH = 3;
const GLYPH_HEIGHT = 5;
const BACKGROUND: readonly [number, number, number, number] = [0xc6, 0x28, 0x28, 0xff];
const INK: readonly [number, number, number, number] = [0xff, 0xff, 0xff, 0xff];

/** What the overlay says for a count: nothing at 0 (the overlay is cleared), the number up to 99, then "99+". */
export function badgeLabel(count: number): string {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`Badge count must be a non-negative integer, got ${String(count)}.`);
  return count === 0 ? '' : count > 99 ? '99+' : String(count);
}

/** RGBA pixels (row-major, 4 bytes each) of the overlay for `label` at `size`×`size` pixels. */
export function renderBadgePixels(label: string, size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 8 || size > 256) throw new RangeError(`Badge size must be 8 to 256 pixels, got ${String(size)}.`);
  if (label === '' || [...label].some((ch) => !(ch in GLYPHS))) throw new TypeError(`Badge label must be digits and "+", got ${JSON.stringify(label)}.`);
  const pixels = new Uint8Array(size * size * 4);
  const radius = Math.max(2, Math.round(size / 4));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (insideRoundedSquare(x, y, size, radius)) pixels.set(BACKGROUND, (y * size + x) * 4);
    }
  }
  // The largest whole-pixel scale that fits with a margin: crisp digits at 16 px (1×) and 32 px (2×) alike.
  const glyphs = [...label];
  const textWidth = glyphs.length * GLYPH_WIDTH + (glyphs.length - 1);
  const margin = Math.max(1, Math.floor(size / 8));
  const scale = Math.max(1, Math.min(Math.floor((size - 2 * margin) / textWidth), Math.floor((size - 2 * margin) / GLYPH_HEIGHT)));
  const left = Math.floor((size - textWidth * scale) / 2);
  const top = Math.floor((size - GLYPH_HEIGHT * scale) / 2);
  glyphs.forEach((ch, index) => {
    const rows = GLYPHS[ch]!;
    const originX = left + index * (GLYPH_WIDTH + 1) * scale;
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (rows[gy]![gx] !== '#') continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const x = originX + gx * scale + dx;
            const y = top + gy * scale + dy;
            if (x >= 0 && x < size && y >= 0 && y < size) pixels.set(INK, (y * size + x) * 4);
          }
        }
      }
    }
  });
  return pixels;
}

/** The overlay as a PNG file's bytes (8-bit RGBA, no interlace). */
export function renderBadgePng(count: number, size: number): Buffer {
  const label = badgeLabel(count);
  if (label === '') throw new RangeError('A badge of 0 is not drawn: clear the overlay instead.');
  return encodePng(renderBadgePixels(label, size), size, size);
}

function insideRoundedSquare(x: number, y: number, size: number, radius: number): boolean {
  // Distance from the pixel's centre to the nearest point of the square shrunk by the radius.
  const cx = x + 0.5;
  const cy = y + 0.5;
  const dx = Math.max(radius - cx, 0, cx - (size - radius));
  const dy = Math.max(radius - cy, 0, cy - (size - radius));
  return dx * dx + dy * dy <= radius * radius;
}

export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  if (rgba.length !== width * height * 4) throw new RangeError(`Expected ${width * height * 4} bytes of RGBA, got ${rgba.length}.`);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    // Filter type 0 (none) per row: the image is tiny, compression barely matters.
    raw[y * (width * 4 + 1)] = 0;
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  header[10] = 0; // compression
  header[11] = 0; // filter
  header[12] = 0; // interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

let crcTable: Uint32Array | null = null;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
