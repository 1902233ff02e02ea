// Makes `require('gradscope')` and `import * as gs from 'gradscope'` resolve to this checkout
// (node_modules/gradscope -> ..), so notebooks and scripts inside the repo use the built package
// exactly as a user of the published package would.
const fs = require('fs');
const path = require('path');
const link = path.join(__dirname, '..', 'node_modules', 'gradscope');
try { fs.rmSync(link, { recursive: true, force: true }); } catch {}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync('..', link, 'dir');
