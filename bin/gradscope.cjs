#!/usr/bin/env node
// The `gradscope` command: `npx gradscope --help`. Plain JavaScript: it runs the compiled
// dist/cli/main.js (src/cli/main.ts), so an installed package needs no TypeScript tooling.
'use strict';
const path = require('path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'cli', 'main.js'));
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(path.join('dist', 'cli', 'main.js'))) {
    process.stderr.write('gradscope: dist/ is missing: in a checkout, run npm ci (or npm run build) first\n');
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`gradscope: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
