import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { badgeLabel, renderBadgePixels, renderBadgePng } from '../../../src/main/electron/badge-overlay';

/** Decodes the PNG this module writes (8-bit RGBA, filter 0 on every row) back to its pixels. */
function decode(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, rgba };
}

const alphaAt = (rgba: Uint8Array, size: number, x: number, y: number) => rgba[(y * size + x) * 4 + 3];
const isInk = (rgba: Uint8Array, size: number, x: number, y: number) => rgba.slice((y * size + x) * 4, (y * size + x) * 4 + 4).every((v) => v === 0xff);

describe('the Windows taskbar overlay (badge-overlay)', () => {
  it('labels counts as the number up to 99, then 99+, and nothing at 0', () => {
    expect([0, 1, 9, 10, 99, 100, 5000].map(badgeLabel)).toEqual(['', '1', '9', '10', '99', '99+', '99+']);
    expect(() => badgeLabel(-1)).toThrow(/non-negative integer, got -1/);
    expect(() => renderBadgePng(0, 16)).toThrow(/clear the overlay instead/);
  });

  it('is a valid PNG of the requested size, whose pixels are what was drawn', () => {
    for (const size of [16, 32]) {
      const { width, height, rgba } = decode(renderBadgePng(7, size));
      expect([width, height]).toEqual([size, size]);
      expect(rgba).toEqual(renderBadgePixels('7', size));
      // Rounded corners are transparent, the middle of the edge is the red background.
      expect(alphaAt(rgba, size, 0, 0)).toBe(0);
      expect(alphaAt(rgba, size, size / 2, 0)).toBe(0xff);
    }
  });

  it('draws different numbers differently, all inside the image, with white ink', () => {
    const drawn = ['1', '7', '42', '99+'].map((label) => renderBadgePixels(label, 16));
    for (let i = 0; i < drawn.length; i++) for (let j = i + 1; j < drawn.length; j++) expect(drawn[i]).not.toEqual(drawn[j]);
    for (const rgba of drawn) {
      let ink = 0;
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) if (isInk(rgba, 16, x, y)) ink++;
      expect(ink).toBeGreaterThan(5);
    }
    expect(() => renderBadgePixels('x', 16)).toThrow(/digits and "\+"/);
  });
});
