/**
 * `npm run browser`: opens every exported notebook page (out/notebooks.json, written by
 * `npm run notebooks`) and out/report.html (out/report.json, written by `npm start`) in headless
 * Chromium through playwright-core, offline, and asserts for each page:
 *   - it loads, and logs no console error, no uncaught page error, no failed request;
 *   - it makes no http(s) request (every page must open offline; such requests are blocked and fail the page);
 *   - it shows exactly the expected number of charts: notebook pages one per chart output (Vega-Lite
 *     + PNG; nbconvert's page shows the PNG) of the executed notebook, the report the number its
 *     manifest lists;
 *   - every chart is drawn: on notebook pages a loaded <img> (natural and shown size > 0) with
 *     coloured (non-grey) pixels, counted on a canvas; in the report a visible <svg> holding drawn
 *     Vega marks (.role-mark groups whose paths/rects/symbols have a non-empty box).
 * Saves a full-page screenshot per page under out/screenshots/ and a summary in out/browser-check.json.
 *
 * Chromium: $CHROMIUM_PATH, else /usr/bin/chromium (Debian: apt-get install chromium), else
 * chromium-browser / google-chrome on PATH. playwright's own browser download is not used.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'out');

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

interface Page { name: string; file: string; expected: number; kind: 'notebook' | 'report' }
interface ChartInfo { width: number; height: number; markGroups: number; drawn: number }
interface PageResult { name: string; file: string; expected: number; found: number; charts: ChartInfo[]; errors: string[]; screenshot: string; seconds: number; ok: boolean }

function findChromium(): string {
  const list = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  for (const c of list) if (c && fs.existsSync(c)) return c;
  console.error('npm run browser: no Chromium found. Debian/Ubuntu: sudo apt-get install chromium; or set CHROMIUM_PATH=/path/to/chrome');
  process.exit(1);
}

function pages(filters: string[]): Page[] {
  const list: Page[] = [];
  const nbManifest = path.join(OUT, 'notebooks.json');
  if (fs.existsSync(nbManifest)) {
    const m = JSON.parse(fs.readFileSync(nbManifest, 'utf8'));
    for (const nb of m.notebooks) {
      if (!nb.ok) continue; // already reported by npm run notebooks
      list.push({ name: nb.name, file: path.join(root, nb.html), expected: nb.chartOutputs, kind: 'notebook' });
    }
  } else {
    console.warn('out/notebooks.json not found: run `npm run notebooks` to check notebook pages too');
  }
  const report = path.join(OUT, 'report.json');
  if (fs.existsSync(report)) {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    list.push({ name: 'report', file: path.join(OUT, 'report.html'), expected: r.charts, kind: 'report' });
  } else {
    console.warn('out/report.json not found: run `npm start` to check out/report.html too');
  }
  return filters.length ? list.filter((p) => filters.some((f) => p.name.includes(f))) : list;
}

/** Runs in the page: the charts and their marks (SVG) or coloured pixels (PNG). */
function inspect(kind: 'notebook' | 'report'): { found: number; charts: ChartInfo[]; stray: number } {
  if (kind === 'notebook') {
    const imgs = Array.from(document.querySelectorAll('[data-mime-type="image/png"] img, .output_png img, .jp-RenderedImage img')) as HTMLImageElement[];
    const charts = imgs.map((img) => {
      const box = img.getBoundingClientRect();
      let drawn = 0;
      if (img.complete && img.naturalWidth > 0) {
        const c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < px.length; i += 4) {
          const [r, g, b] = [px[i], px[i + 1], px[i + 2]];
          if (Math.max(r, g, b) - Math.min(r, g, b) > 40) drawn++; // coloured: a mark, not text or axes
        }
      }
      return { width: box.width, height: box.height, markGroups: img.naturalWidth > 0 ? 1 : 0, drawn };
    });
    return { found: imgs.length, charts, stray: document.querySelectorAll('svg.marks').length };
  }
  const containers = Array.from(document.querySelectorAll('figure.gs-chart'));
  const charts = containers.map((c) => {
    const svg = c.querySelector('svg');
    if (!svg) return { width: 0, height: 0, markGroups: 0, drawn: 0 };
    const box = svg.getBoundingClientRect();
    const groups = Array.from(svg.querySelectorAll('.role-mark'));
    let drawn = 0;
    for (const g of groups) {
      for (const el of Array.from(g.querySelectorAll('path, rect, circle, line, text'))) {
        const b = (el as SVGGraphicsElement).getBBox();
        if (b.width > 0 || b.height > 0) drawn++;
      }
    }
    return { width: box.width, height: box.height, markGroups: groups.length, drawn };
  });
  const stray = document.querySelectorAll('svg.marks').length - charts.length;
  return { found: containers.length, charts, stray };
}

async function main() {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const list = pages(filters);
  if (!list.length) { console.error('npm run browser: nothing to check (run npm run notebooks and/or npm start first)'); process.exit(1); }
  const executablePath = findChromium();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-chromium-'));
  const t0 = Date.now();
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: ARGS, viewport: { width: 1200, height: 900 } });
  console.log(`chromium ${context.browser()?.version() ?? ''} (${executablePath}), fresh profile, offline; ${list.length} pages`);
  fs.mkdirSync(path.join(OUT, 'screenshots'), { recursive: true });
  const results: PageResult[] = [];
  try {
    for (const p of list) {
      const t = Date.now();
      const errors: string[] = [];
      const page = await context.newPage();
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return route.continue();
        errors.push(`network request blocked (pages must open offline): ${url}`);
        return route.abort();
      });
      page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console error: ${msg.text()}`); });
      page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
      page.on('requestfailed', (req) => {
        if (!/^https?:/.test(req.url())) errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
      });
      let found = 0, charts: ChartInfo[] = [];
      if (!fs.existsSync(p.file)) errors.push(`missing ${path.relative(root, p.file)}`);
      else {
        await page.goto(pathToFileURL(p.file).href, { waitUntil: 'load', timeout: 60_000 });
        // MathJax (notebook pages) typesets after load; give it a moment so the screenshot shows maths.
        await page.waitForFunction(() => !(window as any).MathJax?.Hub || (window as any).MathJax.Hub.queue?.running === 0, undefined, { timeout: 15_000 }).catch(() => {});
        await page.waitForTimeout(300);
        const r = await page.evaluate(inspect, p.kind);
        found = r.found;
        charts = r.charts;
        if (found !== p.expected) errors.push(`expected ${p.expected} charts, found ${found}`);
        charts.forEach((c, i) => {
          if (!(c.width > 0 && c.height > 0)) errors.push(`chart ${i + 1}: not visible (${c.width} x ${c.height})`);
          if (!(c.markGroups > 0 && c.drawn > 0)) errors.push(`chart ${i + 1}: nothing drawn (${p.kind === 'notebook' ? `${c.drawn} coloured pixels` : `${c.markGroups} mark groups, ${c.drawn} drawn elements`})`);
        });
      }
      const screenshot = path.join(OUT, 'screenshots', `${p.name.replace(/\//g, '__')}.png`);
      await page.screenshot({ path: screenshot, fullPage: true }).catch((e) => errors.push(`screenshot failed: ${e.message}`));
      await page.close();
      const res: PageResult = { name: p.name, file: path.relative(root, p.file), expected: p.expected, found, charts, errors, screenshot: path.relative(root, screenshot), seconds: (Date.now() - t) / 1000, ok: errors.length === 0 };
      results.push(res);
      const marks = charts.reduce((s, c) => s + c.drawn, 0);
      console.log(`${res.ok ? 'ok    ' : 'FAILED'} ${p.name.padEnd(36)} ${found}/${p.expected} charts, ${marks} ${p.kind === 'notebook' ? 'coloured pixels' : 'drawn marks'}, ${errors.length} errors  -> ${res.screenshot}`);
      for (const e of errors) console.log(`         ${e}`);
    }
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(OUT, 'browser-check.json'), JSON.stringify({ seconds: (Date.now() - t0) / 1000, pages: results }, null, 2) + '\n');
  const failed = results.filter((r) => !r.ok);
  console.log(`\n${results.length - failed.length}/${results.length} pages ok in ${((Date.now() - t0) / 1000).toFixed(1)} s; out/browser-check.json`);
  process.exit(failed.length ? 1 : 0);
}

if (require.main === module) main();
