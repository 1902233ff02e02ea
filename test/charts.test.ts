import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { compile, toSVGAsync } from '../src/display/svg';
import { pngSize, svgSize } from '../src/display/png';
import { fakeReport, linePaths, markItems, svgTexts } from './charts.helpers';

const { tf } = gs;
before(async () => { await gs.ready(); });

type AnySpec = Record<string, any>;

/** Every chart: v5 $schema, compiles under vega-lite 5 without warnings, renders. */
function checkSpec(spec: gs.ChartSpec): { svg: string; texts: string[] } {
  assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
  const { warnings } = compile(spec);
  assert.deepEqual(warnings, [], 'vega-lite warnings');
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(spec)), 'plain JSON');
  const svg = gs.toSVG(spec);
  assert.match(svg, /^<svg /);
  return { svg, texts: svgTexts(svg) };
}

const logScale = (enc: AnySpec | undefined) => enc?.scale?.type === 'log';

describe('charts.layerGradients', () => {
  let rows: gs.DepthRow[];
  before(() => { rows = gs.depthSweep({ depth: 6, width: 16, batch: 32, hidden: ['tanh', 'relu'], init: ['xavier', 'he', 'small'], onProgress: false }); });

  it('one line per init / activation, log y, the data inline', () => {
    const spec = gs.charts.layerGradients(rows) as AnySpec;
    assert.equal(spec.mark.type, 'line');
    assert.ok(logScale(spec.encoding.y));
    assert.equal(spec.encoding.x.field, 'layer');
    assert.equal(spec.encoding.color.field, 'series');
    const values = spec.data.values as { layer: number; series: string; value: number }[];
    assert.equal(values.length, 6 * 7); // 6 series x 7 layers (6 hidden + output)
    assert.equal(new Set(values.map((v) => v.series)).size, 6);
    const he = values.find((v) => v.series === 'he / relu' && v.layer === 3)!;
    assert.equal(he.value, rows.find((r) => r.init === 'he' && r.hidden === 'relu' && r.layer === 3 && r.statistic === 'gradNormW')!.value);
    const { svg, texts } = checkSpec(spec as gs.ChartSpec);
    assert.equal(linePaths(svg), 6);
    assert.ok(texts.includes('layer l'));
    assert.ok(texts.includes('gradient norm ||dW^l|| (log)'));
    assert.ok(texts.includes('he / relu') && texts.includes('small / tanh'));
  });
  it('takes layerStats rows and other statistics', () => {
    const net = gs.mlp({ sizes: [8, 8, 8, 1], hidden: 'tanh' });
    const X = tf.randomNormal([16, 8], 0, 1, 'float32', 1) as gs.tf.Tensor2D, Y = tf.ones([16, 1]);
    const spec = gs.charts.layerGradients(gs.layerStats(net, X, Y), { statistic: 'activationStd', log: false }) as AnySpec;
    assert.equal(spec.data.values.length, 3);
    assert.ok(!logScale(spec.encoding.y));
    assert.equal(linePaths(checkSpec(spec as gs.ChartSpec).svg), 1);
    tf.dispose([X, Y]); net.dispose();
  });
  it('rejects bad input', () => {
    assert.throws(() => gs.charts.layerGradients([]), /invalid rows/);
    assert.throws(() => gs.charts.layerGradients(rows, { statistic: 'norm' as never }), /invalid statistic: "norm"/);
    assert.throws(() => gs.charts.layerGradients(rows, { widht: 3 } as never), /invalid options.widht/);
  });
});

describe('charts.epsilonSweep', () => {
  const rows = gs.epsilonSweep((a) => a ** 3, 1, { exact: 3 });
  const spec = gs.charts.epsilonSweep(rows) as AnySpec;

  it('draws a visible line symbol for each precision in the legend (solid float64, dashed float32)', () => {
    const svg = gs.toSVG(spec);
    for (const [label, dash] of [['float64', '1,0'], ['float32', '6,3']]) {
      const at = svg.indexOf(`>${label}</text>`);
      assert.ok(at > 0, `legend label ${label}`);
      const symbol = svg.slice(svg.lastIndexOf('role-legend-symbol', at), at).match(/<path [^>]*>/)?.[0] ?? '';
      assert.match(symbol, /stroke="#[0-9a-f]{3,6}"/, `${label} legend symbol has no stroke: ${symbol}`);
      assert.ok(symbol.includes(`stroke-dasharray="${dash}"`), `${label} legend symbol dash: ${symbol}`);
    }
  });

  it('error vs eps, both log, methods by colour and precisions by dash', () => {
    const data = spec.layer[0];
    const [line, points] = data.layer;
    assert.equal(line.mark.type, 'line');
    assert.equal(points.mark.type, 'point');
    assert.ok(logScale(line.encoding.x) && logScale(line.encoding.y));
    assert.equal(line.encoding.color.field, 'method');
    assert.equal(line.encoding.strokeDash.field, 'precision');
    assert.equal(data.data.values.length, rows.filter((r) => r.error > 0).length);
  });
  it('slope-1 and slope-2 guides that really have those slopes', () => {
    const guides = spec.layer[1].data.values as { eps: number; error: number; guide: string }[];
    for (const k of [1, 2]) {
      const [p, q] = guides.filter((g) => g.guide.startsWith(`slope ${k}`));
      assert.ok(Math.abs(Math.log(p.error / q.error) / Math.log(p.eps / q.eps) - k) < 1e-9);
    }
  });
  it("marks the seeds' 3.03 and 3.0001 at eps = 0.01", () => {
    const marked = spec.layer[2].data.values as { eps: number; label: string }[];
    assert.equal(marked.length, 2);
    assert.ok(marked.every((m) => m.eps === 0.01));
    const { svg, texts } = checkSpec(spec as gs.ChartSpec);
    assert.ok(texts.some((t) => t.startsWith('3.0301 (one-sided')), texts.join('|'));
    assert.ok(texts.some((t) => t.startsWith('3.0001 (two-sided')));
    assert.ok(texts.includes('eps (log)') && texts.includes('|estimate - exact| (log)'));
    assert.equal(linePaths(svg, 'layer_0_'), 4); // 2 methods x 2 precisions
    assert.equal(linePaths(svg, 'layer_1_'), 2); // 2 guides
  });
});

describe('charts.gradCheck', () => {
  const report = fakeReport();
  const spec = gs.charts.gradCheck(report) as AnySpec;
  it('relative error per block on a log axis, coloured by verdict, bands as rules', () => {
    const blocks = spec.layer[2].data.values as { block: string; x: number; verdict: string; failing: boolean }[];
    assert.deepEqual(blocks.map((b) => b.block), ['dW1', 'db1', 'dW2', 'db2', 'dW3']);
    assert.deepEqual(blocks.filter((b) => b.failing).map((b) => b.block), ['dW2']);
    assert.ok(blocks.find((b) => b.block === 'db2')!.x > 0, 'an exact 0 is drawn at the floor of the log axis');
    const point = spec.layer[2].layer[1];
    assert.ok(logScale(point.encoding.x));
    assert.equal(point.encoding.color.field, 'verdict');
    assert.deepEqual(point.encoding.color.scale.domain, ['great', 'ok', 'inconclusive', 'worry', 'wrong']);
    assert.equal(point.encoding.color.scale.range[4], '#d62728');
    assert.deepEqual(spec.layer[1].data.values.map((r: { x: number }) => r.x), [1e-7, 1e-5, 1e-3]);
  });
  it('the failing block is impossible to miss', () => {
    const { svg, texts } = checkSpec(spec as gs.ChartSpec);
    assert.ok(texts.includes('Gradient check: WRONG'));
    assert.ok(texts.some((t) => t.includes('failing: dW2')));
    assert.ok(texts.includes('0.31  WRONG'));
    assert.match(svg, /font-size="13px" font-weight="bold" fill="#d62728"[^>]*>0\.31  WRONG</);
    assert.equal(markItems(svg, 'rule'), 3 + 5); // band edges + one stem per block
    assert.equal(markItems(svg, 'symbol'), 5);
  });
  it('rejects what is not a report', () => {
    assert.throws(() => gs.charts.gradCheck({} as never), /invalid report/);
  });
});

describe('charts.activationHistograms, training, deepLinear, variance', () => {
  it('activationHistograms: one line per hidden layer (Glorot 2010)', () => {
    const net = gs.mlp({ sizes: [50, 50, 50, 50, 1], hidden: 'tanh', init: 'uniform', seed: 1 });
    const X = tf.randomNormal([100, 50], 0, 1, 'float32', 2) as gs.tf.Tensor2D;
    const before = tf.memory().numTensors;
    const spec = gs.charts.activationHistograms(net, X, { bins: 20 }) as AnySpec;
    assert.equal(tf.memory().numTensors, before);
    assert.equal(spec.data.values.length, 3 * 20);
    for (let l = 1; l <= 3; l++) {
      const sum = spec.data.values.filter((v: { layer: number }) => v.layer === l).reduce((s: number, v: { fraction: number }) => s + v.fraction, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9);
    }
    const { svg, texts } = checkSpec(spec as gs.ChartSpec);
    assert.equal(linePaths(svg), 3);
    assert.ok(texts.includes('activation value a^l'));
    tf.dispose(X); net.dispose();
  });
  it('training: loss and one gradient line per layer; heatmap layer x epoch with log colour', () => {
    const net = gs.mlp({ sizes: [2, 6, 6, 1], hidden: 'tanh', seed: 2 });
    const X = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]), Y = tf.tensor2d([[0], [1], [1], [0]]);
    const h = gs.train(net, X, Y, { epochs: 30, lr: 0.5, onProgress: false });
    const lines = gs.charts.training(h) as AnySpec;
    assert.equal(lines.vconcat.length, 2);
    assert.equal(lines.vconcat[0].data.values.length, 31);
    assert.ok(logScale(lines.vconcat[1].encoding.y));
    const a = checkSpec(lines as gs.ChartSpec);
    assert.equal(linePaths(a.svg), 1 + 3);
    assert.ok(a.texts.includes('loss J') && a.texts.includes('||dW^l|| (log)'));
    const heat = gs.charts.training(h, { view: 'heatmap' }) as AnySpec;
    assert.equal(heat.mark.type, 'rect');
    assert.ok(logScale(heat.encoding.color));
    assert.equal(markItems(checkSpec(heat as gs.ChartSpec).svg, 'rect'), 31 * 3);
    assert.throws(() => gs.charts.training(h, { view: 'pie' as never }), /invalid view: "pie"/);
    tf.dispose([X, Y]); net.dispose();
  });
  it('deepLinear: measured lines and predicted markers on a log axis', () => {
    const spec = gs.charts.deepLinear(gs.deepLinear({ depth: 150, scale: 1.1 })) as AnySpec;
    assert.ok(logScale(spec.layer[0].encoding.y));
    assert.equal(spec.layer[0].data.values.length, 300);
    const { svg, texts } = checkSpec(spec as gs.ChartSpec);
    assert.equal(linePaths(svg), 2);
    assert.ok(texts.some((t) => t.includes('1.62e+6')), texts.join('|'));
  });
  it('variance: theory line and measured points', () => {
    const sizes = [64, 64, 64, 64, 1];
    const net = gs.mlp({ sizes, hidden: 'relu', init: 'lecun' });
    const X = tf.randomNormal([64, 64], 0, 1, 'float32', 3) as gs.tf.Tensor2D, Y = tf.zeros([64, 1]);
    const spec = gs.charts.variance(gs.varianceTheory({ sizes, hidden: 'relu', init: 'lecun' }), gs.layerStats(net, X, Y)) as AnySpec;
    assert.equal(spec.layer[0].data.values.length, 3);
    assert.equal(spec.layer[1].data.values.length, 3);
    const { svg } = checkSpec(spec as gs.ChartSpec);
    assert.equal(linePaths(svg), 1);
    assert.equal(markItems(svg, 'symbol'), 3);
    tf.dispose([X, Y]); net.dispose();
  });
});

describe('toSVG and toPNG', () => {
  const spec = gs.charts.deepLinear(gs.deepLinear({ depth: 20, scale: 0.8 }));
  it("synchronous toSVG gives exactly vega's own asynchronous view.toSVG()", async () => {
    assert.equal(gs.toSVG(spec), await toSVGAsync(spec));
  });
  it('PNG decodes to the SVG size times the scale, with text drawn', () => {
    const { width, height } = svgSize(gs.toSVG(spec));
    const png = gs.toPNG(spec);
    assert.deepEqual(pngSize(png), { width: Math.round(width * 2), height: Math.round(height * 2) });
    assert.deepEqual(pngSize(gs.toPNG(spec, { scale: 1 })), { width, height });
    assert.ok(png.length > 20000, 'a chart with text and lines is not a blank image');
  });
  it('takes reports and rows too; bad input gets a clear error', () => {
    assert.match(gs.toSVG(fakeReport()), /WRONG/);
    assert.throws(() => gs.toSVG({ hello: 1 }), /invalid spec: gradscope has no chart/);
    assert.throws(() => gs.toPNG(spec, { scale: 0 }), /invalid scale: 0/);
    assert.throws(() => gs.toSVG({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', mark: 'nope' } as never), /invalid spec: vega-lite cannot compile/);
  });
});
