// The kernel launcher's version pin, and the helpers of scripts/kernel-check.ts (README block
// extraction, the PNG decoder that finds a drawn chart in an exported page). The kernel itself is
// exercised end to end by `npm run kernel-check` (a CI phase), which needs Jupyter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as gs from '../src/index';
import { colouredPixels, decodePNG, readmeBlocks } from '../scripts/kernel-check';

const root = path.resolve(__dirname, '..');
const launcher = fs.readFileSync(path.join(root, 'scripts', 'tslab-kernel.cjs'), 'utf8');

describe('kernel launcher', () => {
  it('pins the tslab version it patches, and package.json pins the same exactly', () => {
    const pinned = /const TSLAB_VERSION = '([^']+)'/.exec(launcher)?.[1];
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.dependencies.tslab, pinned);
    const installed = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'tslab', 'package.json'), 'utf8')).version;
    assert.equal(installed, pinned);
  });
  it('fails loudly, before starting anything, on another tslab version', () => {
    // a copy of the launcher beside a fake checkout whose node_modules/tslab says 9.9.9
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-launcher-'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.mkdirSync(path.join(dir, 'node_modules', 'tslab'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'tslab', 'package.json'), JSON.stringify({ name: 'tslab', version: '9.9.9' }));
    fs.writeFileSync(path.join(dir, 'scripts', 'tslab-kernel.cjs'), launcher);
    const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'tslab-kernel.cjs'), 'kernel', '--config-path', '/nonexistent.json'], { encoding: 'utf8', timeout: 30_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /patches the internals of tslab 1\.0\.22 and found tslab 9\.9\.9/);
  });
  it('refuses a command line it does not know', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'tslab-kernel.cjs'), 'install'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /usage: node tslab-kernel\.cjs kernel --config-path <connection file>/);
  });
});

describe('README block extraction', () => {
  it('names each ts block by heading and line, honours the skip marker, ignores other languages', () => {
    const md = ['# T', '```sh', 'npm ci', '```', '## API', '', '```ts', 'const a = 1;', '```', '### Two', '<!-- readme-check: skip needs a GPU -->', '```ts', 'gpu();', '```', '```typescript', 'a;', '```'].join('\n');
    const b = readmeBlocks(md);
    assert.deepEqual(b.map((x) => [x.name, x.code, x.skip]), [
      ['README.md line 8 ("API")', 'const a = 1;', undefined],
      ['README.md line 13 ("Two")', 'gpu();', 'needs a GPU'],
      ['README.md line 16 ("Two")', 'a;', undefined],
    ]);
  });
  it("finds this README's blocks, the API one first", () => {
    const b = readmeBlocks(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
    assert.ok(b.length >= 8, `${b.length} blocks`);
    assert.match(b[0].code, /import \* as gs from 'gradscope';\nconst tf = gs\.tf;/);
  });
});

describe('PNG decoding (the drawn-chart check of an exported page)', () => {
  it("decodes gradscope's own PNG to its size and finds the coloured marks", () => {
    const chart = gs.charts.deepLinear(gs.deepLinear({ depth: 20, scale: 1.1 }));
    const png = gs.toPNG(chart, { scale: 1 });
    const svg = gs.toSVG(chart);
    const w = Number(/width="([\d.]+)"/.exec(svg)![1]), h = Number(/height="([\d.]+)"/.exec(svg)![1]);
    const d = decodePNG(png);
    assert.deepEqual([d.width, d.height], [Math.round(w), Math.round(h)]);
    assert.ok(colouredPixels(png) > 500, `${colouredPixels(png)} coloured pixels`);
  });
  it('an empty chart has no coloured pixels', () => {
    const empty = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: 200, height: 100, data: { values: [] }, mark: 'point' } as gs.ChartSpec;
    assert.equal(colouredPixels(gs.toPNG(empty, { scale: 1 })), 0);
  });
});

describe('README comments that promise what a cell does not show', () => {
  it('flags a discarded value with a value-like comment, not the last expression or console.log', async () => {
    const { silentComments } = await import('../scripts/kernel-check');
    const code = [
      "gs.numericDerivative((a) => a ** 3, 1, { eps: 0.01 });   // 3.0001",
      "report.verdict;                // 'great' | 'ok'",
      "console.log(report.verdict);   // great",
      "const r = f();                 // 3",
      "gs.show(chart);                // a chart",
      "net.dispose();                 // 0 tensors left",
      "up.output;                     // 1.6e6",
    ].join('\n');
    const flagged = silentComments(code).map((w) => Number(/^line (\d+)/.exec(w)![1]));
    assert.deepEqual(flagged, [1, 2]); // line 7 is the last expression: tslab shows it
  });
});
