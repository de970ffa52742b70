import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { barChart, crc32, lineChart } from '../ts/report/png.js';

/** Decodes the PNGs this module writes (8-bit RGBA, filter 0): width, height, pixels. */
function decode(png: Buffer): { w: number; h: number; px: (x: number, y: number) => number[] } {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let o = 8, w = 0, h = 0;
  const idat: Buffer[] = [];
  while (o < png.length) {
    const len = png.readUInt32BE(o), type = png.toString('ascii', o + 4, o + 8), body = png.subarray(o + 8, o + 8 + len);
    expect(png.readUInt32BE(o + 8 + len)).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
    if (type === 'IHDR') { w = body.readUInt32BE(0); h = body.readUInt32BE(4); expect(Array.from(body.subarray(8))).toEqual([8, 6, 0, 0, 0]); }
    if (type === 'IDAT') idat.push(body);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe((w * 4 + 1) * h);
  return { w, h, px: (x, y) => Array.from(raw.subarray(y * (w * 4 + 1) + 1 + x * 4, y * (w * 4 + 1) + 1 + x * 4 + 4)) };
}

describe('report charts (PNG)', () => {
  it('CRC-32 of a known string', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('bars are as tall as their values', () => {
    const { w, h, px } = decode(barChart([[1, 0.5]], 100, 110));
    expect([w, h]).toEqual([100, 110]);
    // first bar (grey) reaches the top margin; the second (blue) half way
    expect(px(20, 12)).toEqual([120, 120, 120, 255]);
    expect(px(55, 40)).toEqual([255, 255, 255, 255]);
    expect(px(55, 70)).toEqual([31, 119, 180, 255]);
  });

  it('a falling line starts high and ends low', () => {
    const { px } = decode(lineChart([3, 2, 1], 100, 50));
    expect(px(10, 10)).toEqual([31, 119, 180, 255]);
    expect(px(90, 40)).toEqual([31, 119, 180, 255]);
  });
});
