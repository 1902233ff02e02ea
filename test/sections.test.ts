import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as gs from '../src/index';
import { merge, replaceSection, split } from '../bench/sections';

before(async () => { await gs.ready(); });

const notebooks = '## Notebook execution (npm run notebooks)\n\n| notebook | seconds |\n|---|---|\n| 01 | 8.1 |\n\nWhole CI run: 139 s.';

describe('BENCHMARKS.md sections (bench/sections.ts)', () => {
  it('npm run bench keeps the sections it does not write, in order, and replaces its own', () => {
    const old = `# gradscope benchmarks\n\nold intro\n\n## (a) Full\n\nold a\n\n${notebooks}\n\n## (b) Old name of a bench case\n\nstale\n\n## Someone else's notes\n\n\`\`\`\n## not a heading\n\`\`\`\n`;
    const fresh = '# gradscope benchmarks\n\nnew intro\n\n## (a) Full\n\nnew a\n\n## (c) Directional\n\nnew c\n\nTotal bench time: 150 s.\n';
    const owns = (h: string) => /^## \([a-z]\) /.test(h);
    const out = merge(fresh, old, owns);
    assert.equal(out, `${fresh.trimEnd()}\n\n${notebooks}\n\n## Someone else's notes\n\n\`\`\`\n## not a heading\n\`\`\`\n`);
    assert.equal(merge(fresh, undefined, owns), fresh);
    assert.equal(merge(fresh, out, owns), out, 'a second run changes nothing');
    assert.deepEqual(split(out).sections.map((s) => s.heading), ['## (a) Full', '## (c) Directional', '## Notebook execution (npm run notebooks)', "## Someone else's notes"]);
  });

  it('npm run notebooks -- --record replaces only its own section (or appends it)', () => {
    const doc = `# gradscope benchmarks\n\nintro\n\n## (a) Full\n\na\n\n${notebooks}\n\n## (b) Float32\n\nb\n`;
    const updated = '## Notebook execution (npm run notebooks)\n\nnew figures';
    assert.equal(replaceSection(doc, '## Notebook execution', updated), `# gradscope benchmarks\n\nintro\n\n## (a) Full\n\na\n\n${updated}\n\n## (b) Float32\n\nb\n`);
    const without = '# gradscope benchmarks\n\nintro\n\n## (a) Full\n\na\n';
    assert.equal(replaceSection(without, '## Notebook execution', updated), `${without}\n${updated}\n`);
  });
});
