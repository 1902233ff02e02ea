/**
 * The notebook display hook (src/core/jupyter.ts, src/display/hook.ts) and Deno's kernel
 * (src/display/deno.ts): a fake `globalThis.Deno.jupyter.broadcast` records what gs.show, progress
 * and a cell's last value send, a fake tslab writer what they send there.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'os';
import * as path from 'path';
import Module from 'module';
import * as gs from '../src/index';
import { displayable, JUPYTER_DISPLAY } from '../src/core/jupyter';
import { VEGALITE_MIME } from '../src/display/bundle';
import { SETTLE_MS } from '../src/display/deno';
import { fakeReport } from './charts.helpers';

const { tf } = gs;
before(async () => { await gs.ready(); });

type Bundle = Record<string, unknown>;
type Display = () => Bundle | [Bundle, Bundle] | Promise<Bundle>;
const hook = (x: object): Display => (x as { [JUPYTER_DISPLAY]: Display })[JUPYTER_DISPLAY];
const spec = () => gs.charts.deepLinear(gs.deepLinear({ depth: 12, scale: 1.1 }));
const report = () => displayable(fakeReport()); // gradient check: wrong (dW2), as gs.gradCheck's
const CHART_KEYS = [VEGALITE_MIME, 'image/png', 'text/plain'];

interface Sent { type: string; content: { data: Bundle; metadata: Bundle; transient: { display_id?: string } }; options: unknown }
const g = globalThis as { Deno?: unknown };
/** Pretends to be Deno's kernel; `async` makes broadcast return a promise (Deno before 2.8.2). */
function fakeDeno(async = false): Sent[] {
  const sent: Sent[] = [];
  g.Deno = {
    jupyter: {
      broadcast(type: string, content: Sent['content'], options?: unknown) {
        if (!async) { sent.push({ type, content, options }); return undefined; }
        return new Promise<void>((resolve) => setTimeout(() => { sent.push({ type, content, options }); resolve(); }, 5));
      },
    },
  };
  return sent;
}
afterEach(() => { delete g.Deno; });

/** Every kind of value gs.show knows, as gradscope's producers return them (small and fast). */
function values(): [string, object][] {
  const net = gs.mlp({ sizes: [3, 4, 1], hidden: 'tanh', seed: 1 });
  const X = tf.randomNormal([5, 3], 0, 1, 'float32', 2) as gs.tf.Tensor2D, Y = tf.ones([5, 1]);
  try {
    const rnn = gs.rnn({ nx: 2, na: 3, ny: 1, seed: 1 });
    const Xs = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 3), Ys = tf.ones([2, 1]);
    const through = gs.gradientThroughTime(rnn, Xs, Ys);
    tf.dispose([Xs, Ys]); rnn.dispose();
    return [
      ['chart', spec()],
      ['gradCheck report', gs.gradCheck(net, X, Y, { progress: false })],
      ['checkGradients report', gs.checkGradients((x) => x.square().sum() as gs.tf.Scalar, [tf.tensor1d([1, 2])])],
      ['layerStats rows', gs.layerStats(net, X, Y)],
      ['depthSweep rows', gs.depthSweep({ depth: 3, width: 4, batch: 8, hidden: ['relu'], init: ['he'], onProgress: false })],
      ['varianceTheory rows', gs.varianceTheory({ sizes: [4, 4, 4], hidden: 'tanh', init: 'xavier' })],
      ['activationHistograms rows', gs.activationHistograms(net, X)],
      ['epsilonSweep rows', gs.epsilonSweep((a) => a ** 3, 1)],
      ['gradientThroughTime rows', through],
      ['hoeffdingSimulation rows', gs.hoeffdingSimulation({ ns: [10, 20], trials: 50 })],
      ['softmaxTemperature rows', gs.softmaxTemperature([0.9, 0.1], { temperatures: [1, 2] })],
      ['deepLinear result', gs.deepLinear({ depth: 5 })],
      ['training history', gs.train(net, X, Y, { epochs: 2, onProgress: false })],
      ['grade.backward', gs.grade.backward(() => undefined as never)],
      ['grade.init', gs.grade.init(() => undefined as never)],
      ['gradeLstmStep', gs.gradeLstmStep(() => undefined as never)],
      ['optimizers.compare', gs.optimizers.compare('adam')],
    ];
  } finally {
    tf.dispose([X, Y]); net.dispose();
  }
}

describe('the display symbol on gradscope values', () => {
  const all = values();
  it('every kind of value has a non-enumerable, configurable Symbol.for("Jupyter.display") method', () => {
    assert.equal(JUPYTER_DISPLAY, Symbol.for('Jupyter.display'));
    for (const [name, x] of all) {
      const d = Object.getOwnPropertyDescriptor(x, JUPYTER_DISPLAY);
      assert.ok(d && typeof d.value === 'function', name);
      assert.equal(d.enumerable, false, name);
      assert.equal(d.configurable, true, name);
      assert.ok(!Object.keys(x).some((k) => k.includes('Jupyter')), name);
    }
  });
  it('a chart stays plain data: JSON.stringify, deepStrictEqual and a spread copy do not see the method', () => {
    const chart = spec();
    const copy = JSON.parse(JSON.stringify(chart)) as object;
    assert.deepStrictEqual(chart, copy); // strict: own enumerable symbols would count
    assert.equal(JSON.stringify(chart), JSON.stringify(copy));
    assert.equal(hook({ ...chart }), undefined);
  });
  it('outside a kernel it returns the text form gs.toText gives', () => {
    for (const [name, x] of all) assert.deepEqual(hook(x)(), { 'text/plain': gs.toText(x) }, name);
  });
});

describe("Deno's kernel (a fake Deno.jupyter.broadcast)", () => {
  it('Deno.jupyter that throws (deno run, outside the kernel) is no kernel: gs.show prints text', () => {
    g.Deno = { get jupyter() { throw new Error('Deno.jupyter is only available in `deno jupyter` subcommand'); } };
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try { gs.show(fakeReport()); } finally { console.log = log; }
    assert.deepEqual(lines, ['gradient check: wrong (dW2)']);
  });
  it('gs.show(chart) broadcasts ONE display_data: Vega-Lite object + 2x PNG + text, its size in content.metadata', () => {
    const sent = fakeDeno();
    const t = Date.now();
    gs.show(spec());
    assert.ok(Date.now() - t >= SETTLE_MS - 1); // paused so Deno's kernel thread publishes it before the cell ends
    assert.equal(sent.length, 1);
    const [m] = sent;
    assert.equal(m.type, 'display_data');
    assert.equal(m.options, undefined); // broadcast's own `metadata` option is the message header's, not the display's
    assert.deepEqual(Object.keys(m.content.data).sort(), CHART_KEYS.slice().sort());
    assert.equal(typeof m.content.data[VEGALITE_MIME], 'object');
    const size = m.content.metadata['image/png'] as { width: number; height: number };
    const png = Buffer.from(m.content.data['image/png'] as string, 'base64');
    assert.equal(png.readUInt32BE(16), size.width * 2); // drawn at 2x, shown at the chart's size
    assert.deepEqual(m.content.transient, {});
  });
  it('gs.show(report) broadcasts the HTML table, then the chart, in that order, never HTML with Vega-Lite', () => {
    const sent = fakeDeno();
    gs.show(fakeReport());
    gs.show([{ a: 1 }]);
    assert.deepEqual(sent.map((s) => Object.keys(s.content.data).sort()), [['text/html', 'text/plain'], CHART_KEYS.slice().sort(), ['text/html', 'text/plain']]);
    assert.deepEqual(sent.map((s) => s.content.metadata), [{}, sent[1].content.metadata, {}]);
    assert.ok('image/png' in sent[1].content.metadata);
  });
  it("a chart as a cell's value: the chart goes out as display_data (keeping its size), the execute_result is one line", () => {
    const sent = fakeDeno();
    const out = hook(spec())();
    assert.equal(sent.length, 1);
    assert.ok('image/png' in sent[0].content.metadata);
    assert.deepEqual(out, { 'text/plain': (sent[0].content.data['text/plain'] as string).split('\n')[0] });
    assert.match((out as Bundle)['text/plain'] as string, /^Deep linear net, W = 1.1 I, 12 layers .*\(Vega-Lite, \d+ data rows in 2 tables\)$/);
  });
  it("a report as a cell's value: table, then chart, as display_data; a grader's feedback too", () => {
    const sent = fakeDeno();
    assert.deepEqual(hook(report())(), { 'text/plain': 'chart: gradient check: wrong' });
    assert.deepEqual(sent.map((s) => s.type), ['display_data', 'display_data']);
    assert.ok('text/html' in sent[0].content.data && VEGALITE_MIME in sent[1].content.data);
    sent.length = 0;
    const graded = gs.grade.backward(() => undefined as never);
    assert.deepEqual(hook(graded)(), { 'text/plain': String(graded).split('\n')[0] });
    assert.deepEqual(sent.map((s) => s.content.data), [{ 'text/plain': String(graded) }]);
  });
  it('keeps the order when broadcast returns promises (Deno before 2.8.2); the display method then resolves after them', async () => {
    const sent = fakeDeno(true);
    gs.show(fakeReport());
    gs.show([{ a: 1 }]);
    const out = await hook(spec())();
    assert.deepEqual(sent.map((s) => Object.keys(s.content.data).length), [2, 3, 2, 3]);
    assert.ok('text/html' in sent[0].content.data && VEGALITE_MIME in sent[1].content.data && VEGALITE_MIME in sent[3].content.data);
    assert.match((out as Bundle)['text/plain'] as string, /^Deep linear net/);
  });
  it('progress updates one display in place: display_data, then update_display_data with its display_id', () => {
    const sent = fakeDeno();
    const p = gs.progress('sweep', { total: 3, interval: 0 });
    assert.equal(p.target, 'deno');
    p(1); p(2); p(3); p.finish();
    assert.deepEqual(sent.map((s) => s.type), ['display_data', 'update_display_data', 'update_display_data', 'update_display_data']);
    assert.equal(new Set(sent.map((s) => s.content.transient.display_id)).size, 1);
    assert.match(sent[3].content.data['text/plain'] as string, /^sweep \[#+\] 100% 3\/3 .* done$/);
  });
});

describe('gradscope\'s tslab kernel (a fake live tslab writer)', () => {
  const dir = path.join(os.tmpdir(), 'gs-fake-hook', 'node_modules', 'tslab', 'dist');
  const sent: { data: Bundle; metadata: Bundle }[] = [];
  const jupyter = new Module(path.join(dir, 'jupyter.js'));
  const gt = globalThis as { __tslab__?: unknown };
  before(() => {
    jupyter.filename = jupyter.id; jupyter.loaded = true;
    jupyter.exports = { lastWriteDisplayData: (content: { data: Bundle; metadata: Bundle }) => sent.push(content) };
    require.cache[jupyter.id] = jupyter;
  });
  after(() => { delete require.cache[jupyter.id]; delete gt.__tslab__; });

  it('a chart: nothing sent, the bundle returned as [data, metadata] for the execute_result', () => {
    sent.length = 0;
    const out = hook(spec())() as [Bundle, Bundle];
    assert.equal(sent.length, 0);
    assert.ok(Array.isArray(out) && out.length === 2);
    assert.deepEqual(Object.keys(out[0]).sort(), CHART_KEYS.slice().sort());
    assert.deepEqual(Object.keys(out[1]), ['image/png']);
  });
  it('a report: the table goes out as display_data, the chart is returned', () => {
    sent.length = 0;
    const [data, metadata] = hook(report())() as [Bundle, Bundle];
    assert.deepEqual(sent.map((s) => Object.keys(s.data).sort()), [['text/html', 'text/plain']]);
    assert.ok(VEGALITE_MIME in data && 'image/png' in metadata);
  });
});
