#!/usr/bin/env node
// The package's WebAssembly, built from source: every src/**/*.wat compiled by wabt (a dev
// dependency) into the .wasm beside it and into dist/ (where the compiled .js looks for it).
// `npm run build` runs it first; test/gemm64.test.ts checks the .wasm is this build of the .wat.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const wats = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.wat')) wats.push(p);
  }
})(path.join(root, 'src'));

require('wabt')().then((wabt) => {
  for (const wat of wats) {
    const mod = wabt.parseWat(path.basename(wat), fs.readFileSync(wat, 'utf8'), { simd: true });
    mod.validate();
    const { buffer } = mod.toBinary({});
    mod.destroy();
    const rel = path.relative(path.join(root, 'src'), wat).replace(/\.wat$/, '.wasm');
    for (const out of [path.join(root, 'src', rel), path.join(root, 'dist', rel)]) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, buffer);
    }
    console.log(`build-wasm: ${path.relative(root, wat)} -> ${rel} (${buffer.length} bytes)`);
  }
}).catch((e) => { console.error(`build-wasm: ${e.message}`); process.exit(1); });
