/**
 * JupyterLab 4 and Notebook 7 draw Vega-Lite with a bundled vega-lite 5.6, not the 5.23 gradscope
 * renders SVG with. Every chart gradscope makes must compile under 5.6.1 without warnings and
 * render through vega 5 to an SVG with marks.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vega from 'vega';
import * as gs from '../src/index';
import { fakeReport } from './charts.helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const vl56 = require('vega-lite-56') as typeof import('vega-lite');
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
      const warnings: string[] = [];
      const logger = { level: () => logger, warn: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; }, info: () => logger, debug: () => logger, error: (...m: unknown[]) => { throw new Error(m.join(' ')); } };
      const { spec: vgSpec } = vl56.compile(spec as never, { logger: logger as never });
      assert.deepEqual(warnings, [], `${name}: vega-lite 5.6 warnings`);
      const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
      const svg = await view.toSVG();
      view.finalize();
      const marks = svg.match(/class="mark-[a-z]+ role-mark/g) ?? [];
      assert.ok(marks.length >= 1, `${name}: no marks in the SVG`);
      assert.ok(svg.length > 1000, `${name}: SVG suspiciously small`);
    });
  }
});
