import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { config } from './runtime';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Stands in for Electron's NativeImage: decodes only the PNG header (size), and follows Electron's rules
 * that matter to the app: a missing or unreadable file gives an *empty* image (no error: the tray would
 * just be invisible), and on macOS a file named `…Template.png` is a template image, with its `@2x`
 * sibling picked up as the 2x representation.
 */
export class NativeImage {
  private template: boolean;

  constructor(
    readonly sourcePath: string | null,
    private readonly size: { width: number; height: number } | null,
    readonly scaleFactors: number[],
  ) {
    this.template = config.platform === 'darwin' && !!sourcePath && /Template(@\dx)?\.png$/.test(path.basename(sourcePath));
  }

  isEmpty(): boolean {
    return this.size === null;
  }

  getSize(): { width: number; height: number } {
    return this.size ?? { width: 0, height: 0 };
  }

  setTemplateImage(option: boolean): void {
    this.template = option;
  }

  isTemplateImage(): boolean {
    return this.template;
  }

  get isMacTemplateImage(): boolean {
    return this.template;
  }

  getScaleFactors(): number[] {
    return this.scaleFactors;
  }

  toPNG(): Buffer {
    return this.sourcePath && this.size ? readFileSync(this.sourcePath) : Buffer.alloc(0);
  }

  resize(): NativeImage {
    return this;
  }

  /** As Electron's: another scale's PNG (or JPEG) bytes; an undecodable buffer adds nothing. */
  addRepresentation(options: { scaleFactor?: number; buffer?: Buffer; dataURL?: string }): void {
    if (typeof options !== 'object' || options === null) throw new TypeError('Error processing argument at index 0, conversion failure from');
    if (options.buffer && pngSizeOf(options.buffer)) this.scaleFactors.push(options.scaleFactor ?? 1);
  }
}

function pngSizeOf(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function pngSize(file: string): { width: number; height: number } | null {
  try {
    const bytes = readFileSync(file);
    if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('ascii', 12, 16) !== 'IHDR') return null;
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  } catch {
    return null;
  }
}

export const nativeImage = {
  createFromPath(file: string): NativeImage {
    if (!path.isAbsolute(file)) return new NativeImage(file, null, []);
    const size = pngSize(file);
    const scaleFactors = size ? [1] : [];
    const retina = file.replace(/\.png$/, '@2x.png');
    if (size && retina !== file && existsSync(retina) && pngSize(retina)) scaleFactors.push(2);
    return new NativeImage(file, size, scaleFactors);
  },
  /** Electron decodes PNG or JPEG bytes (anything else gives an empty image, not an error); this stand-in, PNG. */
  createFromBuffer(buffer: Buffer, options: { scaleFactor?: number } = {}): NativeImage {
    if (!Buffer.isBuffer(buffer)) throw new TypeError('buffer must be a node Buffer');
    const size = pngSizeOf(buffer);
    return new NativeImage(null, size, size ? [options.scaleFactor ?? 1] : []);
  },
  createEmpty(): NativeImage {
    return new NativeImage(null, null, []);
  },
};
