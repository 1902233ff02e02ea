import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Module from 'module';
import * as gs from '../src/index';
import { bundles, VEGALITE_MIME } from '../src/display/bundle';
import { pngSize } from '../src/display/png';
import { inTslab } from '../src/display/tslab';
import { fakeReport, linePaths, svgTexts } from './charts.helpers';

const { tf } = gs;
before(async () => { await gs.ready(); });

const spec = () => gs.charts.deepLinear(gs.deepLinear({ depth: 30, scale: 1.1 }));

describe('display bundles (pure)', () => {
  it('a chart is ONE bundle: Vega-Lite as an object, PNG (no SVG: nbconvert 6.5 strips it), text; no text/html', () => {
    const out = bundles(spec());
    assert.equal(out.length, 1);
    const data = out[0].data;
    assert.deepEqual(Object.keys(data).sort(), ['application/vnd.vegalite.v5+json', 'image/png', 'text/plain']);
    assert.equal(typeof data[VEGALITE_MIME], 'object');
    assert.equal((data[VEGALITE_MIME] as { $schema: string }).$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
    const png = Buffer.from(data['image/png'] as string, 'base64');
    const { width, height } = pngSize(png);
    const meta = out[0].metadata['image/png'] as { width: number; height: number };
    const svg = gs.toSVG(spec());
    const w = Number(/width="([\d.]+)"/.exec(svg)![1]), h = Number(/height="([\d.]+)"/.exec(svg)![1]);
    assert.deepEqual(meta, { width: Math.round(w), height: Math.round(h) }); // shown at the chart's size
    assert.equal(width, Math.round(w * 2)); // drawn at 2x for sharp screens
    assert.equal(height, Math.round(h * 2));
    assert.match(data['text/plain'] as string, /Deep linear net, W = 1.1 I, 30 layers/);
    assert.ok(!('text/html' in data));
  });
  it('a report is an HTML table (+ text) and then its chart bundle', () => {
    const [table, chart] = bundles(fakeReport());
    assert.deepEqual(Object.keys(table.data).sort(), ['text/html', 'text/plain']);
    const html = table.data['text/html'] as string;
    assert.match(html, /<table/);
    assert.match(html, /gradient check: WRONG/);
    assert.match(html, /color:#d62728;font-weight:bold">dW2</);
    assert.equal(table.data['text/plain'], 'gradient check: wrong (dW2)');
    assert.ok(!('text/html' in chart.data));
    assert.equal(typeof chart.data[VEGALITE_MIME], 'object');
  });
  it('stats tables: layerStats rows, depthSweep rows (pivoted), deepLinear, train each get a table and a chart', () => {
    const net = gs.mlp({ sizes: [4, 5, 5, 1], hidden: 'relu' });
    const X = tf.randomNormal([8, 4], 0, 1, 'float32', 1) as gs.tf.Tensor2D, Y = tf.ones([8, 1]);
    const stats = bundles(gs.layerStats(net, X, Y));
    assert.equal(stats.length, 2);
    assert.match(stats[0].data['text/plain'] as string, /gradNormW/);
    const sweep = bundles(gs.depthSweep({ depth: 3, width: 4, batch: 8, hidden: ['relu'], init: ['he'], onProgress: false }));
    assert.equal((stats[0].data['text/html'] as string).split('<tr>').length - 2, 3); // 3 layers, header excluded
    assert.equal((sweep[0].data['text/html'] as string).split('<tr>').length - 2, 4); // pivoted: one row per layer
    assert.equal(bundles(gs.deepLinear({ depth: 5 })).length, 2);
    assert.equal(bundles(gs.train(net, X, Y, { epochs: 3, onProgress: false })).length, 2);
    const plain = bundles([{ a: 1, b: 'x' }]);
    assert.deepEqual(plain.map((b) => Object.keys(b.data).sort()), [['text/html', 'text/plain']]);
    tf.dispose([X, Y]); net.dispose();
  });
});

describe('gs.show', () => {
  const dir = path.join(os.tmpdir(), 'gs-fake', 'node_modules', 'tslab', 'dist');
  const sent: { content: { data: Record<string, unknown>; transient?: { display_id?: string } }; update: boolean }[] = [];
  const jupyter = new Module(path.join(dir, 'jupyter.js'));
  const pub = new Module(path.join(dir, 'public.js'));
  const g = globalThis as { __tslab__?: unknown };
  before(() => {
    jupyter.filename = jupyter.id; jupyter.loaded = true;
    pub.filename = pub.id; pub.loaded = true;
    pub.exports = { display: {} };
    require.cache[jupyter.id] = jupyter;
    require.cache[pub.id] = pub;
  });
  after(() => {
    delete require.cache[jupyter.id];
    delete require.cache[pub.id];
    delete g.__tslab__;
  });

  it('outside a notebook prints the text form', () => {
    assert.equal(inTslab(), false);
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try { gs.show(fakeReport()); gs.show(spec()); } finally { console.log = log; }
    assert.equal(lines[0], 'gradient check: wrong (dW2)');
    assert.match(lines[1], /^Deep linear net/);
  });
  it("inside tslab sends the bundles through the kernel's live writer", () => {
    jupyter.exports = { lastWriteDisplayData: (content: never, update: boolean) => sent.push({ content, update }) };
    g.__tslab__ = { exports: {}, require: (id: string) => (id === 'tslab' ? pub.exports : require(id)) };
    assert.equal(inTslab(), true);
    gs.show(spec());
    gs.show(fakeReport());
    assert.equal(sent.length, 3);
    assert.deepEqual(Object.keys(sent[0].content.data).sort(), ['application/vnd.vegalite.v5+json', 'image/png', 'text/plain']);
    assert.equal(typeof sent[0].content.data[VEGALITE_MIME], 'object');
    assert.ok('text/html' in sent[1].content.data && !('text/html' in sent[2].content.data));
    assert.ok(sent.every((s) => s.update === false));
  });
  it('fails with one clear line when the kernel tslab is not ready', () => {
    jupyter.exports = { lastWriteDisplayData: null };
    const err = (() => { try { gs.show(spec()); } catch (e) { return e as gs.GradscopeError; } })();
    assert.ok(err instanceof gs.GradscopeError);
    assert.match(err!.message, /cannot reach the running tslab kernel's display channel/);
    assert.match(err!.message, /npm run kernel/);
    assert.equal(err!.stack, `GradscopeError: ${err!.message}`);
  });
  it('progress overwrites one display in tslab: display_data, then update_display_data with the same id', () => {
    sent.length = 0;
    jupyter.exports = { lastWriteDisplayData: (content: never, update: boolean) => sent.push({ content, update }) };
    const p = gs.progress('sweep', { total: 3, interval: 0 });
    assert.equal(p.target, 'tslab');
    p(1); p(2); p(3); p.finish();
    assert.equal(sent.length, 4);
    assert.deepEqual(sent.map((s) => s.update), [false, true, true, true]);
    const ids = new Set(sent.map((s) => s.content.transient?.display_id));
    assert.equal(ids.size, 1);
    assert.match(sent[2].content.data['text/plain'] as string, /^sweep \[#+\] 100% 3\/3/);
  });
});

describe('gs.progress outside tslab', () => {
  it('draws a bar on a TTY stream in place and ends the line', () => {
    let out = '';
    const p = gs.progress('train', { target: 'tty', stream: { write: (s: string) => (out += s) }, interval: 0 });
    p(5, 10); p({ done: 10, total: 10, message: 'ok' });
    p.finish();
    const frames = out.split('\r').filter(Boolean);
    assert.equal(frames.length, 3);
    assert.match(frames[0], /^train \[#{15}\.{15}\]  50% 5\/10/);
    assert.ok(out.endsWith('\n'));
  });
  it('draws nothing when not a TTY; usable as an onProgress callback', () => {
    let out = '';
    const p = gs.progress('quiet', { target: 'none', stream: { write: (s: string) => (out += s) } });
    gs.depthSweep({ depth: 2, width: 4, batch: 4, hidden: ['relu'], init: ['he'], onProgress: p });
    assert.equal(out, '');
    assert.throws(() => gs.progress('x', { target: 'none' })(NaN), /invalid done: NaN/);
  });
});

describe('gs.save', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-save-'));
  it('.svg, .png, .json, .html', () => {
    const s = spec();
    const svg = fs.readFileSync(gs.save(s, path.join(dir, 'c.svg')), 'utf8');
    assert.equal(svg, gs.toSVG(s));
    const png = fs.readFileSync(gs.save(s, path.join(dir, 'c.png')));
    assert.ok(pngSize(png).width > 400);
    assert.deepEqual(JSON.parse(fs.readFileSync(gs.save(s, path.join(dir, 'c.json')), 'utf8')), JSON.parse(JSON.stringify(s)));
    const html = fs.readFileSync(gs.save(s, path.join(dir, 'c.html')), 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(!/<script[^>]*src=|https?:\/\/(?!www\.w3\.org|vega\.github\.io)/.test(html), 'no network');
    assert.equal(linePaths(html), 2);
    assert.ok(svgTexts(html).includes('layer l'));
  });
  it('a report page has the table and the chart', () => {
    const html = fs.readFileSync(gs.save(fakeReport(), path.join(dir, 'r.html')), 'utf8');
    assert.match(html, /<table/);
    assert.match(html, /<svg /);
    assert.ok(svgTexts(html).includes('0.31  WRONG'));
  });
  it('bad paths and values get clear errors', () => {
    assert.throws(() => gs.save(spec(), path.join(dir, 'c.gif')), /invalid path: .*c\.gif" \(expected a file name ending in \.svg, \.png, \.json, \.html\)/);
    assert.throws(() => gs.save({ a: 1 }, path.join(dir, 'c.svg')), /gradscope has no chart/);
  });
});

describe('no tensors leak from any display call', () => {
  it('show, toSVG, toPNG, save, bundles', () => {
    const before = tf.memory().numTensors;
    const log = console.log;
    console.log = () => {};
    try {
      gs.show(spec()); gs.toSVG(fakeReport()); gs.toPNG(spec()); bundles(fakeReport());
      gs.save(fakeReport(), path.join(os.tmpdir(), 'gs-leak.html'));
    } finally { console.log = log; }
    assert.equal(tf.memory().numTensors, before);
  });
});
