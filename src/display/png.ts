/**
 * SVG -> PNG with @resvg/resvg-js (prebuilt binaries from the npm registry, no download at install
 * time). resvg draws text only with fonts it can load: system fonts plus the first of a few common
 * sans-serif files that exists, mapped to vega's default 'sans-serif'.
 */
import * as fs from 'fs';
import { GradscopeError, invalid } from '../core/errors';

const FONT_FILES: [string, string][] = [
  ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 'DejaVu Sans'],
  ['/usr/share/fonts/dejavu/DejaVuSans.ttf', 'DejaVu Sans'],
  ['/usr/share/fonts/TTF/DejaVuSans.ttf', 'DejaVu Sans'],
  ['/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', 'Liberation Sans'],
  ['/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf', 'Noto Sans'],
  ['/System/Library/Fonts/Helvetica.ttc', 'Helvetica'],
  ['/Library/Fonts/Arial.ttf', 'Arial'],
  ['C:\\Windows\\Fonts\\arial.ttf', 'Arial'],
];

/** The font options for resvg: system fonts, plus a known file mapped to 'sans-serif' when one exists. */
export function fontOptions(): { loadSystemFonts: boolean; fontFiles: string[]; defaultFontFamily?: string; sansSerifFamily?: string } {
  const found = FONT_FILES.find(([file]) => fs.existsSync(file));
  return found
    ? { loadSystemFonts: true, fontFiles: [found[0]], defaultFontFamily: found[1], sansSerifFamily: found[1] }
    : { loadSystemFonts: true, fontFiles: [] };
}

/** Options of {@link toPNG}. */
export interface PngOptions {
  /** Pixel scale: 2 (default) draws a 300 x 200 chart as 600 x 400 pixels. */
  scale?: number;
}

/** Width and height of the SVG's root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw invalid('svg', svg.slice(0, 60), 'an SVG with width and height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** The largest raster toPNG draws: 512 MiB of RGBA pixels (resvg holds the whole image in memory). */
export const PNG_MAX_BYTES = 512 * 2 ** 20;

const size = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/**
 * Throws a GradscopeError naming `scale` when an SVG of this size drawn at this scale would need more
 * than {@link PNG_MAX_BYTES} (4 bytes per pixel), saying what it would need and the largest scale that fits.
 */
export function checkRasterSize(width: number, height: number, scale: number): void {
  const w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
  const bytes = w * h * 4;
  if (bytes <= PNG_MAX_BYTES) return;
  const fits = Math.sqrt(PNG_MAX_BYTES / 4 / Math.max(1, width * height));
  throw new GradscopeError('scale', `invalid scale: ${scale} (expected a scale at which the PNG fits in ${size(PNG_MAX_BYTES)}: ` +
    `the chart is ${Math.round(width)} x ${Math.round(height)}, so ${w} x ${h} pixels would need ${size(bytes)}; ` +
    `a scale up to ${fits >= 0.01 ? Math.floor(fits * 100) / 100 : fits.toExponential(1)} fits, or make the chart smaller)`);
}

/** SVG string -> PNG bytes (a GradscopeError instead of an allocation that cannot succeed: {@link checkRasterSize}). */
export function svgToPNG(svg: string, scale = 2): Buffer {
  const { width, height } = svgSize(svg);
  checkRasterSize(width, height, scale);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const r = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: fontOptions(), background: 'white' });
  return Buffer.from(r.render().asPng());
}

/** Width and height from a PNG's IHDR chunk (bytes 16-23). */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b)) throw invalid('png', `${png.length} bytes`, 'PNG bytes (signature 89 50 4E 47)');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}
