/**
 * The layout's two rules (docs/DESIGN.md): no src/ file over 500 lines, and no import cycle among
 * src/ files, type-only imports included (`npm run cycles`: dpdm without -T).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'fs';
import path from 'path';

const root = path.join(__dirname, '..', 'src');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = path.join(dir, f);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
});

describe('layout', () => {
  it('no src/ file is over 500 lines', () => {
    const long = files(root).map((f) => [path.relative(root, f), readFileSync(f, 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 500);
    assert.deepEqual(long, []);
  });
});
