import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';

before(async () => { await gs.ready(); });
const cube = (a: number) => a ** 3;

describe('numericDerivative (seed 000)', () => {
  it('reproduces 3.0001 (central) and 3.0301 (forward) for a^3 at a = 1, eps = 0.01', () => {
    assert.ok(Math.abs(gs.numericDerivative(cube, 1, { eps: 0.01 }) - 3.0001) < 1e-12);
    assert.ok(Math.abs(gs.numericDerivative(cube, 1, { eps: 0.01, method: 'forward' }) - 3.0301) < 1e-12);
  });
  it('defaults to the central method and eps = 0.01', () => {
    assert.equal(gs.numericDerivative(cube, 1), gs.numericDerivative(cube, 1, { eps: 0.01, method: 'central' }));
  });
  it('rejects bad arguments by name', () => {
    assert.throws(() => gs.numericDerivative(cube, 1, { eps: 0 }), /invalid eps: 0 \(expected a finite number > 0\)/);
    assert.throws(() => gs.numericDerivative(cube, 1, { method: 'backward' as never }), /invalid method: "backward" \(expected one of central, forward\)/);
    assert.throws(() => gs.numericDerivative(3 as never, 1), /invalid f/);
    assert.throws(() => gs.numericDerivative(cube, NaN), /invalid a: NaN/);
  });
});

describe('epsilonSweep', () => {
  const rows = gs.epsilonSweep((a, r) => r(r(a * a) * a), 1, { exact: 3 });
  const at = (eps: number, method: string, precision: string) =>
    rows.find((r) => Math.abs(r.eps - eps) < eps * 1e-9 && r.method === method && r.precision === precision)!;

  it('has a row per eps, method and precision', () => {
    assert.equal(rows.length, gs.DEFAULT_EPS.length * 4);
    assert.ok(gs.DEFAULT_EPS.includes(0.01) && gs.DEFAULT_EPS.includes(1e-7));
  });
  it('shows the O(eps) and O(eps^2) slopes in float64', () => {
    // forward: error = 3 eps + eps^2 -> falls 10x per decade; central: error = eps^2 -> 100x per decade
    const f1 = at(1e-2, 'forward', 'float64').error, f2 = at(1e-3, 'forward', 'float64').error;
    const c1 = at(1e-2, 'central', 'float64').error, c2 = at(1e-3, 'central', 'float64').error;
    assert.ok(Math.abs(Math.log10(f1 / f2) - 1) < 0.05, `forward slope ${Math.log10(f1 / f2)}`);
    assert.ok(Math.abs(Math.log10(c1 / c2) - 2) < 0.05, `central slope ${Math.log10(c1 / c2)}`);
    assert.ok(Math.abs(c1 - 1e-4) < 1e-9);
  });
  it('shows the float32 round-off floor: eps = 1e-7 is a false alarm in float32, fine in float64', () => {
    assert.ok(at(1e-7, 'central', 'float64').error < 1e-8);
    assert.ok(at(1e-7, 'central', 'float32').error > 0.1, 'float32 central at eps 1e-7 is dominated by round-off');
    // the best float32 central eps is near cbrt(u) ~ 1e-3..1e-2, far above the float64 optimum
    const best32 = rows.filter((r) => r.precision === 'float32' && r.method === 'central').sort((a, b) => a.error - b.error)[0];
    assert.ok(best32.eps >= 1e-4 && best32.eps <= 3e-2, `best float32 eps ${best32.eps}`);
  });
  it('estimates the exact derivative when it is not given', () => {
    const auto = gs.epsilonSweep(Math.sin, 0.5, { eps: [1e-3] });
    const central = auto.find((r) => r.method === 'central' && r.precision === 'float64')!;
    assert.ok(Math.abs(central.error - Math.abs(central.estimate - Math.cos(0.5))) < 1e-11);
  });
});
