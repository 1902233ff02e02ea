/**
 * The program the grading process runs (verdict.ts): a submission's setup, TODO and added cells as
 * one async function, each cell a block nested in the one before (a later cell sees what earlier
 * cells declared and may declare a name again, as tslab allows), which returns the values the
 * grader calls need: `{ backward: typeof backward === 'undefined' ? MISSING : backward }`.
 * TypeScript is stripped, not type-checked (the kernel run checks types).
 */
import path from 'node:path';

type Ts = typeof import('typescript');
let tsModule: Ts | undefined;
/** TypeScript: tslab's copy (gradscope's dependency), else any the project has. */
function typescript(): Ts {
  if (!tsModule) {
    let file: string;
    try { file = require.resolve('typescript', { paths: [path.dirname(require.resolve('tslab/package.json'))] }); } catch { file = require.resolve('typescript'); }
    tsModule = require(file) as Ts;
  }
  return tsModule;
}

/** A cell's TypeScript as CommonJS JavaScript (imports become require calls). */
export function transpileCell(source: string): string {
  const ts = typescript();
  // tslab's cells are modules with top-level await: mark the cell a module so imports transpile
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, removeComments: false },
    reportDiagnostics: false,
  }).outputText;
  return out.replace(/^"use strict";\s*/, '').replace(/^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);\s*/m, '');
}

/** The marker for a name the cells do not define. */
export const MISSING = '__gradscope_missing__';

/**
 * The async function body: each cell's JavaScript in a block nested in the previous one, and,
 * innermost, `return { name: value, ... }` for `names`. Parameters: require, exports, module.
 */
export function programOf(cells: string[], names: string[]): string {
  const blocks = cells.map((c, i) => `/* cell ${i + 1} */ {\n${transpileCell(c)}\n`);
  const ret = `return { ${names.map((n) => `${JSON.stringify(n)}: (typeof ${n} === 'undefined' ? ${JSON.stringify(MISSING)} : ${n})`).join(', ')} };\n`;
  return `'use strict';\n${blocks.join('')}${ret}${'}\n'.repeat(cells.length)}`;
}
