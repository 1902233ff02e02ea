/**
 * Hostile-input probe of the recurrent families (gs.rnn, gs.lstm, gs.gru), gs.gradeLstmStep,
 * gs.gradCheck / gs.checkGradients / gs.gradientThroughTime and the work budget (issue 22).
 *
 *   npm run hostile-probe                      # this checkout's src/
 *   npm run hostile-probe -- --src <dir>       # another checkout's src/ (e.g. an older commit's)
 *   npm run hostile-probe -- --verbose         # one line per case with its outcome
 *
 * Every case runs in a worker process with a time limit (a case past it is killed and counted as a
 * runaway; the worker restarts at the next case). Each outcome is put in one class:
 *   clear error    a GradscopeError naming the expected argument, its message matching what was expected
 *   handled edge   a legitimate edge input, answered correctly
 *   user exception the user's own exception from their callback, passed through unchanged
 *   runaway        killed at the time limit (or the worker died: out of memory)
 *   leak           tf.memory().numTensors changed by the call
 *   raw error      an error that is not a GradscopeError (TypeError, tf's messages, RangeError)
 *   silent garbage a result that is wrong without a word (NaN, a false verdict)
 *   silently accepted  bad input that was taken without an error
 *   unclear error  a GradscopeError naming the wrong argument or saying the wrong thing
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';

type Gs = typeof import('../src/index');
type Outcome = 'clear error' | 'handled edge' | 'user exception' | 'runaway' | 'leak' | 'raw error' | 'silent garbage' | 'silently accepted' | 'unclear error';
const CLASSES: Outcome[] = ['clear error', 'handled edge', 'user exception', 'runaway', 'leak', 'raw error', 'silent garbage', 'silently accepted', 'unclear error'];

/** What a case should give: a refusal naming `argument` (message matching `pattern`), an edge answered right, or the user's exception. */
type Expect =
  | { refuse: string; pattern?: RegExp }
  | { edge: (result: unknown) => boolean }
  | { user: true };

interface Case { name: string; expect: Expect; run: (gs: Gs, keep: (...xs: unknown[]) => void, mark: () => void) => unknown }

class Mine extends Error { constructor() { super('my own bug'); this.name = 'Mine'; } }

const cases: Case[] = [];
const add = (name: string, expect: Expect, run: Case['run']) => cases.push({ name, expect, run });
const FAMILIES = ['rnn', 'lstm', 'gru'] as const;
type Fam = (typeof FAMILIES)[number];
const build = (gs: Gs, f: Fam, o: Record<string, unknown> = {}) => (gs[f] as (o: object) => { dispose(): void })({ nx: 3, na: 4, ny: 1, seed: 1, ...o });
// the step backward of each family, by its arity
const STEP: Record<Fam, string> = { rnn: 'rnnStepBackward', lstm: 'lstmStepBackward', gru: 'gruStepBackward' };
const W: Record<Fam, string> = { rnn: 'dWa', lstm: 'dWf', gru: 'dWu' };

/** net, X [2, 5, 3], Y [2, 1], and a forward pass's output and cache, all disposed after the case. */
function setup(gs: Gs, f: Fam, keep: (...xs: unknown[]) => void, o: Record<string, unknown> = {}) {
  const { tf } = gs;
  const net = build(gs, f, o) as unknown as {
    forward(X: Tensor, o?: object): { output: Tensor; cache: { dispose(): void } };
    backward(c: unknown, Y: Tensor, step?: unknown): Record<string, Tensor>;
    dispose(): void;
  };
  const X = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1), Y = tf.tensor2d([[1], [0]]);
  const { output, cache } = net.forward(X);
  keep(net, X, Y, output, cache);
  return { net, X, Y, cache, tf };
}

// 1. sizes and work up front
for (const [f, na] of [['rnn', 3e4], ['lstm', 2e4], ['gru', 2e4], ['rnn', 1e6]] as const) {
  add(`${f}({ na: ${na} })`, { refuse: 'na', pattern: /would need|would take/ }, (gs) => build(gs, f, { na }).dispose());
}
add("rnn({ na: 3000, init: 'orthogonal' })", { refuse: 'init', pattern: /multiply-adds.*GRADSCOPE_MAX_WORK/ }, (gs) => build(gs, 'rnn', { na: 3000, init: 'orthogonal' }).dispose());
add("lstm({ na: 2000, init: 'orthogonal' })", { refuse: 'init', pattern: /multiply-adds.*GRADSCOPE_MAX_WORK/ }, (gs) => build(gs, 'lstm', { na: 2000, init: 'orthogonal' }).dispose());
add("mlp({ sizes: [4000, 4000], init: 'orthogonal' })", { refuse: 'init', pattern: /multiply-adds.*GRADSCOPE_MAX_WORK/ }, (gs) => gs.mlp({ sizes: [4000, 4000], init: 'orthogonal' }).dispose());
add("rnn({ na: 200, init: 'orthogonal' }) (legitimate)", { edge: (r) => r === 200 }, (gs) => { const n = gs.rnn({ nx: 3, na: 200, ny: 1, init: 'orthogonal' }); n.dispose(); return n.spec.na; });
for (const f of FAMILIES) {
  add(`${f}.forward with T = 1e7 (hours)`, { refuse: 'X', pattern: /steps|hours|GRADSCOPE_MAX/ }, (gs, keep, mark) => {
    const net = build(gs, f) as unknown as { forward(X: Tensor): { output: Tensor; cache: { dispose(): void } } };
    keep(net);
    const X = gs.tf.zeros([1, 1e7, 3]);
    keep(X);
    mark(); // the refusal is timed from here: making X's 120 MB is not the call's work
    const { output, cache } = net.forward(X);
    keep(output, cache);
  });
}
add('rnn.forward with T = 2000 (legitimate)', { edge: (r) => r === 2000 }, (gs, keep) => {
  const net = gs.rnn({ nx: 3, na: 4, ny: 1 }); const X = gs.tf.zeros([2, 2000, 3]); keep(net, X);
  const { output, cache } = net.forward(X); keep(output, cache); return cache.T;
});
for (const f of FAMILIES) {
  add(`gradCheck full on a big ${f}`, { refuse: 'mode', pattern: /multiply-adds.*GRADSCOPE_MAX_WORK/ }, (gs, keep) => {
    const net = build(gs, f, { nx: 8, na: 128 }); const X = gs.tf.randomNormal([32, 50, 8]), Y = gs.tf.zeros([32, 1]); keep(net, X, Y);
    return gs.gradCheck(net as never, X, Y).verdict;
  });
}
add('gradCheck sparse 1e6 samples on a big rnn', { refuse: 'samples', pattern: /multiply-adds.*GRADSCOPE_MAX_WORK/ }, (gs, keep) => {
  const net = build(gs, 'rnn', { nx: 8, na: 128 }); const X = gs.tf.randomNormal([32, 50, 8]), Y = gs.tf.zeros([32, 1]); keep(net, X, Y);
  return gs.gradCheck(net as never, X, Y, { mode: 'sparse', samples: 1e6 }).verdict;
});
add('gradCheck full on a small rnn (legitimate)', { edge: (r) => r === 'great' }, (gs, keep) => {
  const { net, X, Y } = setup(gs, 'rnn', keep); return gs.gradCheck(net as never, X, Y).verdict;
});

// 3. leaks: gradeLstmStep and disposed nets
add('gradeLstmStep(step returns null)', { edge: (r) => r === 'todo' }, (gs) => gs.gradeLstmStep((() => null) as never).status);
add('gradeLstmStep(step returns {})', { edge: (r) => r === 'todo' }, (gs) => gs.gradeLstmStep((() => ({})) as never).status);
add('gradeLstmStep(async step)', { refuse: 'step', pattern: /Promise.*synchronous/ }, (gs) => gs.gradeLstmStep((async () => ({})) as never).status);
add('gradeLstmStep(step throws)', { edge: (r) => typeof r === 'string' && /threw.*my own bug/.test(r) }, (gs) => String(gs.gradeLstmStep(() => { throw new Mine(); })));
add('gradeLstmStep(step returns NaN tensors)', { edge: (r) => r === 'failed' }, (gs) => gs.gradeLstmStep(((s: never, da: Tensor, dc: Tensor) => {
  const g = (gs.lstmStepBackward as unknown as (...a: unknown[]) => Record<string, Tensor>)(s, da, dc);
  return { ...g, dWf: g.dWf.mul(NaN) };
}) as never).status);
for (const f of FAMILIES) {
  add(`${f}.forward on a disposed net`, { refuse: 'net', pattern: /was disposed/ }, (gs, keep) => {
    const net = build(gs, f) as unknown as { forward(X: Tensor): unknown; dispose(): void };
    net.dispose(); const X = gs.tf.zeros([2, 5, 3]); keep(X);
    net.forward(X);
  });
  add(`${f}.backward on a disposed net`, { refuse: 'net', pattern: /was disposed/ }, (gs, keep) => {
    const { net, Y, cache } = setup(gs, f, keep); net.dispose(); net.backward(cache, Y);
  });
}

// 4. the user's step, checked on what it returns
for (const f of FAMILIES) {
  const stepOf = (gs: Gs) => gs[STEP[f] as 'rnnStepBackward'] as unknown as (...a: unknown[]) => Record<string, Tensor>;
  add(`${f}.backward(cache, Y, 'step')`, { refuse: 'step', pattern: /a function/ }, (gs, keep) => { const { net, Y, cache } = setup(gs, f, keep); keep(net.backward(cache, Y, 'step')); });
  add(`${f}.backward: step returns a number`, { refuse: 'step', pattern: /returned 5/ }, (gs, keep) => { const { net, Y, cache } = setup(gs, f, keep); keep(net.backward(cache, Y, () => 5)); });
  add(`${f}.backward: async step`, { refuse: 'step', pattern: /Promise.*synchronous/ }, (gs, keep) => {
    const { net, Y, cache } = setup(gs, f, keep); keep(net.backward(cache, Y, async (...a: unknown[]) => stepOf(gs)(...a)));
  });
  add(`${f}.backward: step returns {}`, { refuse: 'step', pattern: new RegExp(W[f]) }, (gs, keep) => { const { net, Y, cache } = setup(gs, f, keep); keep(net.backward(cache, Y, () => ({}))); });
  add(`${f}.backward: step returns ${W[f]} transposed`, { refuse: 'step', pattern: new RegExp(`${W[f]}.*\\[7, 4\\]|transposed`) }, (gs, keep) => {
    const { net, Y, cache } = setup(gs, f, keep);
    keep(net.backward(cache, Y, (...a: unknown[]) => { const g = stepOf(gs)(...a); return { ...g, [W[f]]: g[W[f]].transpose() }; }));
  });
  add(`${f}.backward: step returns daPrev [1, na]`, { refuse: 'step', pattern: /daPrev.*\[2, 4\]/ }, (gs, keep) => {
    const { net, Y, cache } = setup(gs, f, keep);
    keep(net.backward(cache, Y, (...a: unknown[]) => { const g = stepOf(gs)(...a); return { ...g, daPrev: g.daPrev.sum(0, true) }; }));
  });
  add(`${f}.backward: step returns arrays`, { refuse: 'step', pattern: /daPrev|dWa|dWf|dWu|dba/ }, (gs, keep) => {
    const { net, Y, cache } = setup(gs, f, keep);
    keep(net.backward(cache, Y, (...a: unknown[]) => { const g = stepOf(gs)(...a); return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v.arraySync()])); }));
  });
  add(`${f}.backward: step returns NaN daPrev`, { refuse: 'step', pattern: /daPrev.*(NaN|finite)/ }, (gs, keep) => {
    const { net, Y, cache } = setup(gs, f, keep);
    keep(net.backward(cache, Y, (...a: unknown[]) => { const g = stepOf(gs)(...a); return { ...g, daPrev: g.daPrev.mul(NaN) }; }));
  });
  add(`${f}.backward: step returns a disposed tensor`, { refuse: 'step', pattern: /disposed/ }, (gs, keep) => {
    const { net, Y, cache } = setup(gs, f, keep);
    keep(net.backward(cache, Y, (...a: unknown[]) => { const g = stepOf(gs)(...a); g.daPrev.dispose(); return g; }));
  });
  add(`${f}.backward: step throws its own error`, { user: true }, (gs, keep) => { const { net, Y, cache } = setup(gs, f, keep); keep(net.backward(cache, Y, () => { throw new Mine(); })); });
  add(`${f}.backward with a disposed cache`, { refuse: 'cache', pattern: /disposed/ }, (gs, keep) => { const { net, Y, cache } = setup(gs, f, keep); cache.dispose(); keep(net.backward(cache, Y)); });
  add(`${f}.forward with a disposed a0`, { refuse: 'a0', pattern: /disposed/ }, (gs, keep) => {
    const { net, X, tf } = setup(gs, f, keep); const a0 = tf.zeros([2, 4]); a0.dispose(); keep(net.forward(X, { a0 }));
  });
  add(`${f}.forward with a bool a0`, { refuse: 'a0', pattern: /bool|float/ }, (gs, keep) => {
    const { net, X, tf } = setup(gs, f, keep); const a0 = tf.zeros([2, 4], 'bool'); keep(a0); keep(net.forward(X, { a0 }));
  });
}
add('lstm.backward with an rnn cache', { refuse: 'cache', pattern: /rnn|lstm/ }, (gs, keep) => {
  const r = setup(gs, 'rnn', keep), l = setup(gs, 'lstm', keep); keep(l.net.backward(r.cache, l.Y));
});
add('rnn.backward with an lstm cache', { refuse: 'cache', pattern: /rnn|lstm/ }, (gs, keep) => {
  const r = setup(gs, 'rnn', keep), l = setup(gs, 'lstm', keep); keep(r.net.backward(l.cache, r.Y));
});
add('gru.backward with an rnn cache', { refuse: 'cache', pattern: /rnn|gru/ }, (gs, keep) => {
  const r = setup(gs, 'rnn', keep), g = setup(gs, 'gru', keep); keep(g.net.backward(r.cache, g.Y));
});
add('lstm.forward with a disposed c0', { refuse: 'c0', pattern: /disposed/ }, (gs, keep) => {
  const { net, X, tf } = setup(gs, 'lstm', keep); const c0 = tf.zeros([2, 4]); c0.dispose(); keep(net.forward(X, { c0 }));
});
add('gradCheck with a backward whose step throws its own error', { edge: (r) => r === 'caught' }, (gs, keep) => {
  const { net, X, Y } = setup(gs, 'rnn', keep);
  try { gs.gradCheck(net as never, X, Y, { backward: ((n: never, c: never, y: never) => (n as { backward(...a: unknown[]): unknown }).backward(c, y, () => { throw new Mine(); })) as never }); } catch (e) {
    return e instanceof gs.GradscopeError && /backward/.test(e.message) && /my own bug/.test(e.message) ? 'caught' : String(e);
  }
});

// 5. non-finite
add('gradCheck on a relu rnn that overflows (scale 1e3, T 60)', { edge: (r) => r === 'inconclusive' }, (gs, keep) => {
  const net = gs.rnn({ nx: 3, na: 16, ny: 1, hidden: 'relu', scale: 1e3, seed: 1 }); const X = gs.tf.randomNormal([8, 60, 3], 0, 1, 'float32', 2), Y = gs.tf.ones([8, 1]); keep(net, X, Y);
  return gs.gradCheck(net, X, Y).verdict;
});
add('gradCheck directional on the overflowing rnn', { edge: (r) => r === 'inconclusive' }, (gs, keep) => {
  const net = gs.rnn({ nx: 3, na: 16, ny: 1, hidden: 'relu', scale: 1e3, seed: 1 }); const X = gs.tf.randomNormal([8, 60, 3], 0, 1, 'float32', 2), Y = gs.tf.ones([8, 1]); keep(net, X, Y);
  return gs.gradCheck(net, X, Y, { mode: 'directional' }).verdict;
});
add('gradientThroughTime on the overflowing rnn', { edge: (r) => r === true }, (gs, keep) => {
  const net = gs.rnn({ nx: 3, na: 16, ny: 1, hidden: 'relu', scale: 1e3, seed: 1 }); const X = gs.tf.randomNormal([8, 60, 3], 0, 1, 'float32', 2), Y = gs.tf.ones([8, 1]); keep(net, X, Y);
  const rows = gs.gradientThroughTime(net, X, Y) as unknown as { gradNorm: number; note?: string }[];
  // the forward pass overflows: every row it touches (and every non-finite norm) must say so, in the rows and the text form
  return rows.some((r) => r.note) && rows.every((r) => Number.isFinite(r.gradNorm) || r.note) && /overflow/.test(gs.toText(rows as never));
});
add('gradientThroughTime on an rnn whose norms are NaN', { edge: (r) => r === true }, (gs, keep) => {
  const net = gs.rnn({ nx: 3, na: 8, ny: 1, hidden: 'relu', scale: 1e3, seed: 1 }); const X = gs.tf.randomNormal([4, 60, 3], 0, 1, 'float32', 1), Y = gs.tf.ones([4, 1]); keep(net, X, Y);
  const rows = gs.gradientThroughTime(net, X, Y) as unknown as { gradNorm: number; note?: string }[];
  return rows.some((r) => !Number.isFinite(r.gradNorm)) && rows.every((r) => Number.isFinite(r.gradNorm) || /not finite/.test(r.note ?? ''));
});
add('gradientThroughTime(rnn, X, Y, { a0: disposed })', { refuse: 'a0', pattern: /disposed/ }, (gs, keep) => {
  const { net, X, Y, tf } = setup(gs, 'rnn', keep); const a0 = tf.zeros([2, 4]); a0.dispose(); return gs.gradientThroughTime(net as never, X, Y, { a0 });
});
add("rnn 'every' backward with Y [m, ny]", { refuse: 'Y', pattern: /\[2, 5, 1\]/ }, (gs, keep) => {
  const { net, Y, cache } = setup(gs, 'rnn', keep, { outputs: 'every' }); keep(net.backward(cache, Y));
});
add('lstm.backward: step returns dcPrev of the wrong shape', { refuse: 'step', pattern: /dcPrev.*\[2, 4\]/ }, (gs, keep) => {
  const { net, Y, cache } = setup(gs, 'lstm', keep);
  keep(net.backward(cache, Y, (...a: unknown[]) => { const g = (gs.lstmStepBackward as unknown as (...a: unknown[]) => Record<string, Tensor>)(...a); return { ...g, dcPrev: g.dcPrev.slice([0, 0], [2, 3]) }; }));
});
add('gradCheck(gru) with a step returning a Promise inside the backward', { refuse: 'backward', pattern: /Promise|synchronous/ }, (gs, keep) => {
  const { net, X, Y } = setup(gs, 'gru', keep);
  return gs.gradCheck(net as never, X, Y, { backward: ((n: { backward(...a: unknown[]): unknown }, c: unknown, y: unknown) => n.backward(c, y, async () => ({}))) as never }).verdict;
});
add('rnn({ scale: 1e39 })', { refuse: 'scale', pattern: /float32/ }, (gs) => build(gs, 'rnn', { scale: 1e39 }).dispose());
add('lstm({ forgetBias: 1e39 })', { refuse: 'forgetBias', pattern: /float32/ }, (gs) => build(gs, 'lstm', { forgetBias: 1e39 }).dispose());
add("rnn({ init: { gain: 1e300 } })", { refuse: 'init', pattern: /float32/ }, (gs) => build(gs, 'rnn', { init: { gain: 1e300 } }).dispose());
add("gru({ init: { gain: 1e300 } })", { refuse: 'init', pattern: /float32/ }, (gs) => build(gs, 'gru', { init: { gain: 1e300 } }).dispose());

// 6. coercion and unknown keys
for (const f of FAMILIES) {
  add(`${f}({ na: '4' })`, { refuse: 'na' }, (gs) => build(gs, f, { na: '4' }).dispose());
  add(`${f}({ seed: true })`, { refuse: 'seed' }, (gs) => build(gs, f, { seed: true }).dispose());
  add(`${f}({ init: null })`, { refuse: 'init' }, (gs) => build(gs, f, { init: null }).dispose());
  add(`${f}({ outputs: null })`, { refuse: 'outputs' }, (gs) => build(gs, f, { outputs: null }).dispose());
  add(`${f}({ nx: 3.5 })`, { refuse: 'nx' }, (gs) => build(gs, f, { nx: 3.5 }).dispose());
  add(`${f}({ hidden: ... typo key })`, { refuse: 'options.hiden' }, (gs) => build(gs, f, { hiden: 'relu' }).dispose());
  add(`${f}(null)`, { refuse: 'options' }, (gs) => (gs[f] as (o: unknown) => unknown)(null));
  add(`${f}.forward(X, { a1: ... })`, { refuse: 'options.a1' }, (gs, keep) => { const { net, X } = setup(gs, f, keep); keep(net.forward(X, { a1: 1 })); });
  add(`gradientThroughTime(${f}, X, Y, { lable })`, { refuse: 'options.lable' }, (gs, keep) => { const { net, X, Y } = setup(gs, f, keep); return gs.gradientThroughTime(net as never, X, Y, { lable: 'x' } as never); });
}
add("rnn({ scale: '2' })", { refuse: 'scale' }, (gs) => build(gs, 'rnn', { scale: '2' }).dispose());
add("rnn({ hidden: null })", { refuse: 'hidden' }, (gs) => build(gs, 'rnn', { hidden: null }).dispose());
add("lstm({ forgetBias: null })", { refuse: 'forgetBias' }, (gs) => build(gs, 'lstm', { forgetBias: null }).dispose());
add("lstm({ variant: true })", { refuse: 'variant' }, (gs) => build(gs, 'lstm', { variant: true }).dispose());
add("gradCheck(rnn, X, Y, { eps: '1e-7' })", { refuse: 'eps' }, (gs, keep) => { const { net, X, Y } = setup(gs, 'rnn', keep); return gs.gradCheck(net as never, X, Y, { eps: '1e-7' } as never); });
add("gradCheck(rnn, X, Y, { mode: null })", { refuse: 'mode' }, (gs, keep) => { const { net, X, Y } = setup(gs, 'rnn', keep); return gs.gradCheck(net as never, X, Y, { mode: null } as never); });
add("gradCheck(rnn, X, Y, { samples: true })", { refuse: 'samples' }, (gs, keep) => { const { net, X, Y } = setup(gs, 'rnn', keep); return gs.gradCheck(net as never, X, Y, { mode: 'sparse', samples: true } as never); });
add("gradCheck(rnn, X, Y, { precison })", { refuse: 'options.precison' }, (gs, keep) => { const { net, X, Y } = setup(gs, 'rnn', keep); return gs.gradCheck(net as never, X, Y, { precison: 'float32' } as never); });
add('gradientThroughTime(rnn, X, Y, { label: 5 })', { refuse: 'label' }, (gs, keep) => { const { net, X, Y } = setup(gs, 'rnn', keep); return gs.gradientThroughTime(net as never, X, Y, { label: 5 } as never); });
add('gradientThroughTime(rnn, X, Y, null)', { refuse: 'options' }, (gs, keep) => { const { net, X, Y } = setup(gs, 'rnn', keep); return gs.gradientThroughTime(net as never, X, Y, null as never); });
add('gradientThroughTime(rnn, X, Y, { c0 })', { refuse: 'c0' }, (gs, keep) => { const { net, X, Y, tf } = setup(gs, 'rnn', keep); const c0 = tf.zeros([2, 4]); keep(c0); return gs.gradientThroughTime(net as never, X, Y, { c0 }); });
add('rnn.forward with a bool X', { refuse: 'X', pattern: /bool|float/ }, (gs, keep) => { const { net, tf } = setup(gs, 'rnn', keep); const X = tf.zeros([2, 5, 3], 'bool'); keep(X); keep(net.forward(X)); });

// 7. older probe leftovers
add('gradCheck: backward returns a disposed tensor', { refuse: 'backward', pattern: /dWa.*disposed/ }, (gs, keep) => {
  const { net, X, Y } = setup(gs, 'rnn', keep);
  return gs.gradCheck(net as never, X, Y, { backward: ((n: { backward(c: unknown, y: Tensor): Record<string, Tensor> }, c: unknown, y: Tensor) => { const g = n.backward(c, y); g.dWa.dispose(); return g; }) as never }).verdict;
});
add('gradCheck on an mlp: backward returns a disposed tensor', { refuse: 'backward', pattern: /dW1.*disposed/ }, (gs, keep) => {
  const net = gs.mlp({ sizes: [3, 4, 1], seed: 1 }); const X = gs.tf.randomNormal([4, 3]) as never, Y = gs.tf.ones([4, 1]); keep(net, X, Y);
  return gs.gradCheck(net, X, Y, { backward: (n, c, y) => { const g = n.backward(c, y); g.dW1.dispose(); return g; } }).verdict;
});
add('checkGradients: f takes more inputs than given', { refuse: 'f', pattern: /inputs|argument/ }, (gs, keep) => {
  const x = gs.tf.tensor1d([1, 2]); keep(x); return gs.checkGradients((a: Tensor, b: Tensor) => a.mul(b).sum(), [x]).verdict;
});
add('checkGradients: f returns a Promise', { refuse: 'f', pattern: /Promise|synchronous|scalar/ }, (gs, keep) => {
  const x = gs.tf.tensor1d([1, 2]); keep(x); return gs.checkGradients((async (a: Tensor) => a.sum()) as never, [x]).verdict;
});

// ---------------------------------------------------------------------------------------------

interface Row { i: number; name: string; outcome: Outcome; detail: string; ms: number }

async function worker(src: string, start: number): Promise<void> {
  const gs: Gs = await import(resolve(src, 'index.ts'));
  await gs.ready();
  const { tf } = gs;
  for (let i = start; i < cases.length; i++) {
    const c = cases[i];
    const kept: unknown[] = [];
    const keep = (...xs: unknown[]) => kept.push(...xs);
    const before = tf.memory().numTensors;
    let t0 = performance.now();
    let outcome: Outcome, detail = '';
    let result: unknown, error: unknown, threw = false;
    try { result = c.run(gs, keep, () => { t0 = performance.now(); }); } catch (e) { threw = true; error = e; }
    const ms = performance.now() - t0;
    if (result instanceof Promise) result = await result.catch((e) => e);
    for (const k of kept.reverse()) {
      try { if (k instanceof tf.Tensor) k.dispose(); else if (k && typeof (k as { dispose?: unknown }).dispose === 'function') (k as { dispose(): void }).dispose(); else if (k && typeof k === 'object') tf.dispose(Object.values(k as object).filter((v) => v instanceof tf.Tensor)); } catch { /* already gone */ }
    }
    const leaked = tf.memory().numTensors - before;
    const e = error as Error & { argument?: string };
    if (threw) detail = `${e?.name}: ${String(e?.message).slice(0, 160)}`;
    else detail = `returned ${JSON.stringify(result)?.slice(0, 120)}`;
    if (leaked !== 0) { outcome = 'leak'; detail = `${leaked} tensors; ${detail}`; }
    else if ('user' in c.expect) outcome = threw && e instanceof Mine ? 'user exception' : threw ? (e instanceof gs.GradscopeError ? 'unclear error' : 'raw error') : 'silently accepted';
    else if ('edge' in c.expect) outcome = threw ? (e instanceof gs.GradscopeError ? 'unclear error' : 'raw error') : c.expect.edge(result) ? 'handled edge' : 'silent garbage';
    else if (!threw) outcome = 'silently accepted';
    else if (!(e instanceof gs.GradscopeError)) outcome = 'raw error';
    else outcome = e.argument === c.expect.refuse && (!c.expect.pattern || c.expect.pattern.test(e.message)) ? 'clear error' : 'unclear error';
    if ('refuse' in c.expect && threw && ms > 1000 && outcome === 'clear error') { outcome = 'unclear error'; detail = `refused only after ${Math.round(ms)} ms; ${detail}`; }
    process.stdout.write(JSON.stringify({ i, name: c.name, outcome, detail, ms: Math.round(ms) } satisfies Row) + '\n');
  }
}

function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--src');
  const src = resolve(at >= 0 ? args[at + 1] : resolve(__dirname, '..', 'src'));
  const verbose = args.includes('--verbose');
  const limit = Number(process.env.PROBE_TIMEOUT ?? 20) * 1000;
  const rows: Row[] = [];
  return new Promise((done) => {
    const launch = (start: number) => {
      if (start >= cases.length) return finish();
      const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--worker', String(start), '--src', src], { stdio: ['ignore', 'pipe', 'pipe'] });
      let buf = '', next = start, timer: NodeJS.Timeout;
      const arm = () => { clearTimeout(timer); timer = setTimeout(() => child.kill('SIGKILL'), limit + (next === start ? 15000 : 0)); };
      arm();
      child.stderr.on('data', () => undefined);
      child.stdout.on('data', (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
          if (!line.startsWith('{')) continue;
          const row = JSON.parse(line) as Row;
          rows.push(row); next = row.i + 1;
          if (verbose) console.log(`${row.outcome.padEnd(17)} ${row.name}  (${row.ms} ms) ${row.detail}`);
          arm();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        if (next < cases.length) {
          const row: Row = { i: next, name: cases[next].name, outcome: 'runaway', detail: `killed or died after ${limit / 1000} s`, ms: limit };
          rows.push(row);
          if (verbose) console.log(`${row.outcome.padEnd(17)} ${row.name}  ${row.detail}`);
          launch(next + 1);
        } else finish();
      });
    };
    const finish = () => {
      const counts = CLASSES.map((k) => [k, rows.filter((r) => r.outcome === k).length] as const);
      console.log(`hostile probe: ${rows.length} cases (${src})`);
      for (const [k, n] of counts) if (n) console.log(`  ${k.padEnd(17)} ${n}`);
      const bad = rows.filter((r) => !['clear error', 'handled edge', 'user exception'].includes(r.outcome));
      if (bad.length) console.log(['short of the standard:', ...bad.map((r) => `  ${r.outcome}: ${r.name} -- ${r.detail}`)].join('\n'));
      done();
    };
    launch(0);
  });
}

const wi = process.argv.indexOf('--worker');
if (wi >= 0) {
  const si = process.argv.indexOf('--src');
  void worker(process.argv[si + 1], Number(process.argv[wi + 1])).then(() => process.exit(0));
} else void main();
