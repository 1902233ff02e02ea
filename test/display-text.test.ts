// Text forms (gs.toText / gs.show outside a notebook), the saved page, and the errors of gs.save,
// gs.toPNG and gs.progress (issue 9 item 7, issue 10 items 9 and 10).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as gs from '../src/index';
import { fakeReport } from './charts.helpers';
import { htmlTable, textTable } from '../src/display/table';
import { bundles, chartBundle } from '../src/display/bundle';

const { tf } = gs;
before(async () => { await gs.ready(); });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-text-'));
/** The GradscopeError `f` throws (fails the test when it throws anything else or nothing). */
function gsError(f: () => unknown): gs.GradscopeError {
  try { f(); } catch (e) {
    assert.ok(e instanceof gs.GradscopeError, `expected a GradscopeError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return e;
  }
  assert.fail('expected a GradscopeError, nothing was thrown');
}

describe('text forms carry the numbers', () => {
  it("the gradient-check chart's text lists every block's error before the verdict bands", () => {
    const text = gs.toText(gs.charts.gradCheck(fakeReport()));
    const blocks = text.indexOf('dW2'), bands = text.indexOf('worry');
    assert.ok(blocks > 0 && bands > 0);
    for (const b of ['dW1', 'db1', 'dW2', 'db2', 'dW3']) assert.match(text, new RegExp(`^\\s*\\d+\\s+${b}\\s`, 'm'), `block ${b} has a row`);
    assert.match(text, /^\s*2\s+dW2\s+0\.31\s/m); // the failing block's relative error
    assert.ok(blocks < bands, 'plotted blocks come before the bands');
    assert.match(text, /^rect \(4 rows\):\nverdict\s+lo\s+hi/m); // the bands' table, labelled by its marks
    assert.match(text, /^worry\s+1\.00e-5\s+0\.001/m);
  });
  it('the variance chart lists theory and measured rows', () => {
    const sizes = [64, 64, 64, 1];
    const theory = gs.varianceTheory({ sizes, hidden: 'relu', init: 'he' });
    const net = gs.mlp({ sizes, hidden: 'relu', init: 'he', seed: 3 });
    const X = tf.randomNormal([128, 64], 0, 1, 'float32', 4) as gs.tf.Tensor2D, Y = tf.ones([128, 1]);
    const measured = gs.layerStats(net, X, Y);
    const spec = gs.charts.variance(theory, measured);
    const text = gs.toText(spec);
    const values = (spec as { layer?: { data?: { values?: Record<string, unknown>[] } }[] }).layer!.flatMap((l) => l.data?.values ?? []);
    const kinds = new Set(values.map((v) => String(v.kind ?? v.series)));
    assert.ok(kinds.size >= 2, `the spec has ${[...kinds].join(', ')}`);
    for (const k of kinds) assert.ok(text.includes(k), `text names ${k}`);
    tf.dispose([X, Y]); net.dispose();
  });
  it('short by default (12 rows: the first and last six), complete with { full: true }', () => {
    const r = gs.deepLinear({ depth: 50, scale: 1.1 });
    const short = gs.toText(r), full = gs.toText(r, { full: true });
    const rowsOf = (t: string) => t.split('\n').filter((l) => /^\s*\d+\s/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    assert.equal(rowsOf(full).length, r.rows.length);
    const shortRows = rowsOf(short);
    assert.equal(shortRows.length, 12);
    assert.deepEqual(shortRows.slice(0, 6), rowsOf(full).slice(0, 6));
    assert.deepEqual(shortRows.slice(6), rowsOf(full).slice(-6)); // the last layers (the exploded ones) are shown
    assert.match(short, new RegExp(`\\.\\.\\. ${r.rows.length - 12} more rows \\(all of them: \\{ full: true \\}\\)`));
    assert.throws(() => gs.toText(r, { fll: true } as never), /invalid options\.fll: true \(expected a known option: full\)/);
    assert.throws(() => gs.toText(r, { full: 'yes' } as never), /invalid options\.full: "yes" \(expected true or false\)/);
  });
  it('a notebook shows a short table above a deepLinear chart, a saved page every row', () => {
    const r = gs.deepLinear({ depth: 50, scale: 1.1 });
    const [table] = bundles(r);
    assert.equal((table.data['text/html'] as string).split('<tr>').length - 2, 12 + 1); // 12 rows + the "more rows" line
    const page = fs.readFileSync(gs.save(r, path.join(dir, 'deep.html')), 'utf8');
    assert.equal(page.split('<tr>').length - 2, r.rows.length);
  });
  it('text tables right-align numeric columns; HTML cells are padded and numbers right-aligned', () => {
    const rows = [{ name: 'a', v: 0.069124, w: -0.069124 }, { name: 'bb', v: 12, w: 3 }];
    const lines = textTable(rows).split('\n');
    assert.equal(lines[2].length, lines[3].length);
    assert.ok(lines[3].endsWith('  3'));
    const html = htmlTable(rows);
    const tds = [...html.matchAll(/<td style="([^"]*)">([^<]*)<\/td>/g)];
    assert.equal(tds.length, 6);
    for (const [, css] of tds) assert.match(css, /padding:\d+px \d+px/);
    assert.match(tds[1][1], /text-align:right/);
    assert.match(tds[0][1], /text-align:left/);
  });
});

describe('gs.save errors name the argument, what it got and what was expected', () => {
  const chart = () => gs.charts.deepLinear(gs.deepLinear({ depth: 5 }));
  it('a path whose parent is a file', () => {
    const file = path.join(dir, 'plain.txt');
    fs.writeFileSync(file, 'x');
    const e = gsError(() => gs.save(chart(), path.join(file, 'c.svg')));
    assert.equal(e.argument, 'path');
    assert.match(e.message, /^invalid path: ".*plain\.txt\/c\.svg" \(expected a file path gs\.save can write: .*plain\.txt is a file, not a directory\)$/);
  });
  it('into /proc', { skip: !fs.existsSync('/proc/self') && 'no /proc here' }, () => {
    const e = gsError(() => gs.save(chart(), '/proc/gradscope-chart.svg'));
    assert.equal(e.argument, 'path');
    assert.match(e.message, /^invalid path: "\/proc\/gradscope-chart\.svg" \(expected a file path gs\.save can write: E[A-Z]+: /);
  });
  it('onto a directory', () => {
    const d = path.join(dir, 'taken.svg');
    fs.mkdirSync(d, { recursive: true });
    const e = gsError(() => gs.save(chart(), d));
    assert.match(e.message, /^invalid path: ".*taken\.svg" \(expected a file path gs\.save can write: .*taken\.svg is a directory\)$/);
  });
  it('with a NUL byte', () => {
    const e = gsError(() => gs.save(chart(), path.join(dir, 'a\0b.svg')));
    assert.equal(e.argument, 'path');
    assert.match(e.message, /^invalid path: ".*a\\u0000b\.svg" \(expected a file path without NUL bytes\)$/);
  });
  it('of a circular object', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    const e = gsError(() => gs.save(o, path.join(dir, 'loop.json')));
    assert.equal(e.argument, 'x');
    assert.match(e.message, /^invalid x: a circular object \(expected a JSON-serialisable value/);
    assert.ok(!fs.existsSync(path.join(dir, 'loop.json')));
  });
  it('of undefined', () => {
    for (const ext of ['json', 'html', 'svg']) {
      const e = gsError(() => gs.save(undefined, path.join(dir, `u.${ext}`)));
      assert.equal(e.argument, 'x');
      assert.match(e.message, /^invalid x: undefined \(expected a value to save: a chart spec/);
      assert.ok(!fs.existsSync(path.join(dir, `u.${ext}`)));
    }
  });
});

describe('gs.toPNG caps the raster from a memory estimate', () => {
  it('a 10000 x 10000 chart at scale 16 is a GradscopeError naming scale, not an allocation', () => {
    const big = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: 10000, height: 10000, data: { values: [{ x: 1, y: 2 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } } as gs.ChartSpec;
    const t0 = Date.now();
    const e = gsError(() => gs.toPNG(big, { scale: 16 }));
    assert.ok(Date.now() - t0 < 20_000);
    assert.equal(e.argument, 'scale');
    assert.match(e.message, /^invalid scale: 16 \(expected a scale at which the PNG fits in 512\.0 MiB: the chart is \d+ x \d+, so \d+ x \d+ pixels would need [\d.]+ GiB; a scale up to [\d.]+ fits, or make the chart smaller\)$/);
    const fits = Number(/a scale up to ([\d.]+) fits/.exec(e.message)![1]);
    assert.ok(fits > 1 && fits < 1.2, `${fits}`); // sqrt(2^27 / ~1.0e8)
    assert.throws(() => gs.toPNG(big, { scale: fits + 0.05 }), /invalid scale/);
  });
});

describe('gs.progress options', () => {
  it('an unknown option is a GradscopeError naming it', () => {
    const e = gsError(() => gs.progress('x', { totl: 10 } as never));
    assert.equal(e.argument, 'options.totl');
    assert.equal(e.message, 'invalid options.totl: 10 (expected a known option: total, target, stream, transport, interval, delay)');
  });
  it('bad values of known options', () => {
    assert.throws(() => gs.progress('x', { total: -1 }), /invalid options\.total: -1 \(expected a finite number >= 0\)/);
    assert.throws(() => gs.progress('x', { target: 'screen' as never }), /invalid options\.target: "screen" \(expected one of tslab, deno, tty, none\)/);
  });
});

describe('the gradient-check chart keeps its labels legible over the band rules', () => {
  it('each block label is drawn over a white halo of the same text', () => {
    const svg = gs.toSVG(gs.charts.gradCheck(fakeReport()));
    const texts = [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)];
    for (const label of ['2.00e-9  great', '0.31  WRONG']) {
      const same = texts.filter((t) => t[2] === label);
      assert.equal(same.length, 2, `${label}: halo + text`);
      assert.match(same[0][1], /stroke="white"/);
      assert.match(same[0][1], /stroke-width="4"/);
      assert.ok(!/stroke="white"/.test(same[1][1]), 'the visible text has no white stroke');
    }
  });
});

describe('a chart bundle without resvg', () => {
  it('carries the SVG instead of the PNG when the PNG cannot be drawn', () => {
    const spec = gs.charts.deepLinear(gs.deepLinear({ depth: 5 }));
    const b = chartBundle(spec, 'text', () => { throw new Error('Cannot find module @resvg/resvg-js-linux-x64-gnu'); });
    assert.deepEqual(Object.keys(b.data).sort(), ['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain']);
    assert.equal(b.data['image/svg+xml'], gs.toSVG(spec));
  });
});
