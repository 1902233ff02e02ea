/**
 * JupyterLab 4 and Notebook 7 draw Vega-Lite with a bundled vega-lite 5.6, not the 5.23 gradscope
 * renders SVG with. Every chart gradscope makes must compile under 5.6.1 without warnings and
 * render through vega 5 to an SVG with marks.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vega from 'vega';
import * as gs from '../src/index';
import { fakeReport, render56, vl56 } from './charts.helpers';

const { tf } = gs;

before(async () => { await gs.ready(); });

function allCharts(): Record<string, gs.charts.ChartSpec> {
  const net = gs.mlp({ sizes: [8, 8, 8, 1], hidden: 'tanh', seed: 1 });
  const X = tf.randomNormal([32, 8], 0, 1, 'float32', 2) as gs.tf.Tensor2D;
  const Y = tf.tidy(() => tf.randomUniform([32, 1], 0, 1, 'float32', 3).round());
  const sweep = gs.depthSweep({ depth: 3, width: 8, hidden: ['tanh', 'relu'], init: ['xavier', 'he'], seed: 1, batch: 16, onProgress: false });
  const history = gs.train(net, X, Y, { epochs: 3, lr: 0.1, onProgress: false });
  const specs = {
    layerGradients: gs.charts.layerGradients(sweep),
    epsilonSweep: gs.charts.epsilonSweep(gs.epsilonSweep((a) => a ** 3, 1, { exact: 3 })),
    gradCheck: gs.charts.gradCheck(fakeReport()),
    activationHistograms: gs.charts.activationHistograms(net, X),
    trainingLines: gs.charts.training(history),
    trainingHeatmap: gs.charts.training(history, { view: 'heatmap' }),
    deepLinear: gs.charts.deepLinear(gs.deepLinear({ depth: 20, scale: 1.5 })),
    variance: gs.charts.variance(gs.varianceTheory({ sizes: [8, 8, 8, 1], hidden: 'tanh', init: 'xavier' }), gs.layerStats(net, X, Y)),
  };
  tf.dispose([X, Y]);
  net.dispose();
  return specs;
}

describe('every chart is valid Vega-Lite 5.6 (what JupyterLab 4 bundles)', () => {
  it('uses the real vega-lite 5.6.1 for this test', () => {
    assert.match(vl56.version, /^5\.6\./);
  });
  const specs = allCharts();
  for (const [name, spec] of Object.entries(specs)) {
    it(`${name} compiles under vega-lite ${vl56.version} without warnings and renders marks`, async () => {
      assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
      const { svg } = await render56(spec, name);
      const marks = svg.match(/class="mark-[a-z]+ role-mark/g) ?? [];
      assert.ok(marks.length >= 1, `${name}: no marks in the SVG`);
      assert.ok(svg.length > 1000, `${name}: SVG suspiciously small`);
    });
  }
});

/** The visible labels of each axis on one side of a compiled chart, from vega's scenegraph. */
async function axisLabels(spec: gs.charts.ChartSpec, vl: typeof import('vega-lite'), orient: 'bottom' | 'left' = 'bottom'): Promise<string[][]> {
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: 'none' });
  await view.runAsync();
  const out: string[][] = [];
  type Node = { marktype?: string; role?: string; items?: Node[]; text?: string; opacity?: number; orient?: string };
  (function walk(n: Node, axisOrient?: string): void {
    const o = n.role === 'axis' ? n.items?.[0]?.orient : axisOrient;
    if (n.marktype === 'text' && n.role === 'axis-label' && o === orient) out.push((n.items ?? []).filter((i) => i.opacity !== 0).map((i) => String(i.text)));
    for (const i of n.items ?? []) walk(i, o);
  })((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  return out;
}

describe('per-layer charts label whole layers only', () => {
  for (const depth of [2, 3, 4, 5, 12, 50, 150]) {
    it(`${depth} layers: distinct integer layer labels, in order, under vega-lite 5.6.1 and ${require('vega-lite').version}`, async () => {
      const sizes = [16, ...Array(depth - 1).fill(16), 1];
      const specs = {
        variance: gs.charts.variance(gs.varianceTheory({ sizes, hidden: 'relu', init: 'he' })),
        deepLinear: gs.charts.deepLinear(gs.deepLinear({ depth, scale: 1.1 })),
        layerGradients: gs.charts.layerGradients(depth <= 12 ? gs.depthSweep({ depth, width: 8, hidden: ['relu'], init: ['he'], seed: 1, batch: 8, onProgress: false })
          : Array.from({ length: depth }, (_, i) => ({ init: 'he', hidden: 'relu', layer: i + 1, statistic: 'gradNormW', value: 1 + i })) as never),
      };
      for (const vl of [vl56, require('vega-lite') as typeof import('vega-lite')]) {
        for (const [name, spec] of Object.entries(specs)) {
          const data = [spec, ...((spec as { layer?: gs.charts.ChartSpec[] }).layer ?? [])].flatMap((l) => ((l as { data?: { values?: { layer: number }[] } }).data?.values ?? []).map((r) => r.layer));
          const lo = Math.min(...data), hi = Math.max(...data);
          const [labels] = await axisLabels(spec, vl);
          assert.ok(labels && labels.length >= Math.min(hi - lo + 1, 2), `${name}: labels ${labels}`);
          const nums = labels.map(Number);
          assert.ok(nums.every((v) => Number.isInteger(v) && v >= lo && v <= hi), `${name}, layers ${lo}-${hi}, vega-lite ${vl.version}: ${labels.join(' ')}`);
          assert.ok(nums.every((v, i) => i === 0 || v > nums[i - 1]), `${name}, ${depth} layers, vega-lite ${vl.version}: ${labels.join(' ')}`);
          assert.ok(labels.length <= 12, `${name}: ${labels.length} labels crowd the axis`);
        }
      }
    });
  }

  it('the training chart\'s two panels share one epoch axis (zero gradient norms, not drawn on the log axis, do not shorten it)', async () => {
    const epochs = Array.from({ length: 100 }, (_, e) => ({ epoch: e, loss: 1 / (1 + e), gradNorm: [e < 60 ? 1 / (1 + e) : 0, 0.5] }));
    const spec = gs.charts.training({ epochs, optimizer: 'sgd', lr: 0.1 } as never);
    const labels = await axisLabels(spec, vl56);
    assert.equal(labels.length, 2, 'two x axes');
    assert.deepEqual(labels[0], labels[1]);
    assert.ok(Number(labels[0].at(-1)) >= 90, labels[0].join(' '));
    assert.match(JSON.stringify(spec.title), /40 zero gradient norms not drawn/);
  });
});
