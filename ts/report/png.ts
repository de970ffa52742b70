// Minimal PNG output for reports: an RGBA canvas with lines and filled rectangles, encoded
// with node:zlib (no image dependency). Charts carry no text; the Markdown around them does.
import { deflateSync } from 'node:zlib';

export type Rgb = [number, number, number];

export class Canvas {
  readonly data: Uint8Array;
  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) this.data.set([...background, 255], i * 4);
  }
  pixel(x: number, y: number, c: Rgb): void {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.data.set([...c, 255], (y * this.width + x) * 4);
  }
  rect(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    for (let y = Math.round(Math.min(y0, y1)); y <= Math.round(Math.max(y0, y1)); y++)
      for (let x = Math.round(Math.min(x0, x1)); x <= Math.round(Math.max(x0, x1)); x++) this.pixel(x, y, c);
  }
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let k = 0; k <= n; k++) this.pixel(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n, c);
  }
  png(): Buffer {
    const raw = Buffer.alloc((this.width * 4 + 1) * this.height);
    for (let y = 0; y < this.height; y++) {
      raw[y * (this.width * 4 + 1)] = 0; // filter: none
      raw.set(this.data.subarray(y * this.width * 4, (y + 1) * this.width * 4), y * (this.width * 4 + 1) + 1);
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.width, 0);
    ihdr.writeUInt32BE(this.height, 4);
    ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method, no interlace
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

const PALETTE: Rgb[] = [[120, 120, 120], [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189]];
/** The palette's colours by name, in series order (for captions). */
export const PALETTE_NAMES = ['grey', 'blue', 'orange', 'green', 'red', 'purple'] as const;

/** A line chart of one series, scaled to its range. */
export function lineChart(values: readonly number[], width = 640, height = 240): Buffer {
  const c = new Canvas(width, height), m = 10;
  c.line(m, height - m, width - m, height - m, [0, 0, 0]);
  c.line(m, m, m, height - m, [0, 0, 0]);
  const lo = Math.min(...values), hi = Math.max(...values), span = hi - lo || 1;
  const px = (i: number): number => m + ((width - 2 * m) * i) / Math.max(values.length - 1, 1);
  const py = (v: number): number => height - m - ((height - 2 * m) * (v - lo)) / span;
  for (let i = 1; i < values.length; i++) c.line(px(i - 1), py(values[i - 1]!), px(i), py(values[i]!), PALETTE[1]!);
  return c.png();
}

/** Grouped bars: one group per task, one bar per series (colours in series order), on [0, 1]. */
export function barChart(groups: readonly (readonly number[])[], width = 640, height = 240): Buffer {
  const c = new Canvas(width, height), m = 10;
  c.line(m, height - m, width - m, height - m, [0, 0, 0]);
  const gw = (width - 2 * m) / groups.length;
  groups.forEach((g, gi) => {
    const bw = (gw * 0.8) / g.length;
    g.forEach((v, si) => {
      const x0 = m + gi * gw + gw * 0.1 + si * bw;
      c.rect(x0, height - m - 1, x0 + bw - 2, height - m - (height - 2 * m) * Math.max(0, Math.min(1, v)), PALETTE[si % PALETTE.length]!);
    });
  });
  return c.png();
}
