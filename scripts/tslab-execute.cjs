// How the gradscope kernel reports a cell: the launcher (tslab-kernel.cjs) wraps tslab 1.0.22's
// executor so that a cell's outcome reaches Jupyter as ipykernel would send it.
//
//   execute(code, count) -> { status: 'ok', value?: { data, metadata } }
//                         | { status: 'error', ename, evalue, traceback }
//
// tslab's executor prints what happened through the console it is given: diagnostics
// (console.error with its format string), the thrown value (console.error(e)) and the last
// expression's value (console.log(value)). The wrapper hands it a console that keeps those instead.
// - Diagnostics are an error with ename 'TSError' (ts-node's name) and evalue `line:col - message`,
//   one per line, lines counted in the cell.
// - A thrown value is an error with ename its class (GradscopeError, TypeError, ...), evalue its
//   message, and a traceback of its stack frames: the cell's own at the cell's line numbers
//   (`Cell In[3], line 2` and that line's code), none of tslab's, this launcher's or Node's.
// - The last expression's value (tslab skips undefined and null): an object with a
//   `[Symbol.for('Jupyter.display')]()` method (Deno's protocol, which gradscope's charts, reports
//   and tables carry) gives that method's MIME bundle, or its `[data, metadata]` pair (IPython's
//   _repr_mimebundle_ convention); anything else util.inspect's text.
//
// Cell line numbers: tslab compiles a cell twice (TypeScript -> ES module -> CommonJS), so a frame's
// line in the code that runs is not the cell's. Both steps are asked for inline source maps (see
// withSourceMaps) and a frame is mapped back through both with node's own module.SourceMap.
'use strict';
const util = require('util');
const { SourceMap } = require('module');

const DISPLAY = Symbol.for('Jupyter.display');
const MAP_COMMENT = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * A copy of the TypeScript module whose compiler host and transpileModule ask for inline source
 * maps (TypeScript's own exports are read-only getters, so tslab is given this copy instead:
 * the launcher puts it in require.cache before tslab loads). Returns it and a getter of the last
 * compiled cell's two maps.
 */
function withSourceMaps(ts) {
  const copy = {};
  for (const k of Object.keys(ts)) Object.defineProperty(copy, k, { enumerable: true, configurable: true, get: () => ts[k] });
  const set = (k, value) => Object.defineProperty(copy, k, { enumerable: true, configurable: true, value });
  set('createWatchCompilerHost', function (rootFiles, options, ...rest) {
    return ts.createWatchCompilerHost(rootFiles, options ? { ...options, inlineSourceMap: true } : options, ...rest);
  });
  let last; // [ES module -> cell, CommonJS -> ES module] of the last compiled file: the cell (tslab compiles it after its imports)
  set('transpileModule', function (input, options) {
    if (!options || options.fileName !== 'custom.js') return ts.transpileModule(input, options);
    const m = MAP_COMMENT.exec(input);
    const first = m ? parseMap(m[1]) : undefined;
    const out = ts.transpileModule(m ? input.slice(0, m.index) : input, { ...options, compilerOptions: { ...options.compilerOptions, inlineSourceMap: true } });
    const n = MAP_COMMENT.exec(out.outputText);
    const second = n ? parseMap(n[1]) : undefined;
    last = first && second ? [first, second] : undefined;
    return out;
  });
  return { ts: copy, lastMaps: () => last };
}

function parseMap(base64) {
  try { return new SourceMap(JSON.parse(Buffer.from(base64, 'base64').toString('utf8'))); } catch { return undefined; }
}

/** 0-based [line, column] in the running code -> 1-based cell line, or undefined. */
function cellLine(maps, line, column) {
  if (!maps) return undefined;
  const [first, second] = maps;
  const a = second.findEntry(line, column);
  if (!a || a.originalLine === undefined) return undefined;
  const b = first.findEntry(a.originalLine, a.originalColumn);
  if (!b || b.originalLine === undefined) return undefined;
  // tslab's cell file starts with one line, `export {};`, before the cell's code
  const l = b.originalLine - 1;
  return l >= 0 ? l + 1 : undefined;
}

/** Frames that are the kernel's own: tslab, this launcher, Node's internals. */
const INTERNAL = [/[\\/]tslab[\\/]dist[\\/]/, /[\\/]tslab-(kernel|execute)\.cjs/, /\(node:/, /^\s*at node:/, /\(vm\.js/, /<anonymous>\)?$/];

function errorInfo(e, where) {
  const isError = e instanceof Error || (e && typeof e === 'object' && typeof e.stack === 'string' && typeof e.message === 'string');
  if (!isError) {
    const evalue = typeof e === 'string' ? e : util.inspect(e);
    return { ename: 'Error', evalue: `a non-Error value was thrown: ${evalue}`, traceback: [`Uncaught ${evalue}`] };
  }
  const ename = (e.constructor && e.constructor.name !== 'Object' && e.constructor.name) || e.name || 'Error';
  const evalue = String(e.message);
  const lines = String(e.stack || '').split('\n');
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
  let head = firstFrame < 0 ? lines : lines.slice(0, firstFrame);
  // Node puts the throwing line of a vm script, with a ^ under it, before the message: drop it
  const title = head.findIndex((l) => l.startsWith(`${e.name}:`) || l.startsWith(`${ename}:`) || l === e.name);
  if (title > 0) head = head.slice(title);
  const traceback = [head.join('\n') || `${ename}: ${evalue}`];
  if (firstFrame >= 0) {
    for (const frame of lines.slice(firstFrame)) {
      const shown = where(frame) ?? (INTERNAL.some((re) => re.test(frame)) ? undefined : frame);
      if (shown && shown !== traceback[traceback.length - 1]) traceback.push(shown); // the cell's wrapper repeats its last frame
    }
  }
  return { ename, evalue, traceback };
}

function diagnosticsError(diagnostics) {
  const lines = diagnostics.map((d) => `${d.fileName ? d.fileName + ' ' : ''}${d.line}:${d.character} - ${d.messageText}`);
  return { ename: 'TSError', evalue: lines.join('\n'), traceback: ['TSError: \u2a2f Unable to compile TypeScript:', ...lines] };
}

/** The display content of a cell's value, or undefined for none. */
async function displayOf(value) {
  if (value === undefined) return undefined;
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value[DISPLAY] === 'function') {
    let r = value[DISPLAY]();
    if (r && typeof r.then === 'function') r = await r;
    if (Array.isArray(r) && r.length === 2 && r[0] && typeof r[0] === 'object') return { data: r[0], metadata: r[1] || {} };
    if (r && typeof r === 'object' && Object.keys(r).length) return { data: r, metadata: {} };
  }
  return { data: { 'text/plain': util.inspect(value) }, metadata: {} };
}

/** The format string of tslab's printDiagnostics: console.error(FORMAT, fileName, line, character, message). */
const DIAGNOSTIC = '%s%d:%d - %s';
/** What tslab's executor wraps a cell in, before the cell's first line. */
const PREFIX = '(function(exports, require) { ';

/**
 * tslab's createExecutor, with its console replaced by one that keeps what tslab would print:
 * diagnostics, the thrown value, the last expression's value. `execute(code, count)` then returns
 * the outcome instead of printing it. `mapsOf` gives the source maps of the last compiled cell.
 */
function wrapExecutor(createExecutor, lastMaps) {
  return function (rootDir, convs, _console) {
    let outcome = null;
    const keep = {
      log: (...args) => {
        if (outcome && args.length === 1 && !('value' in outcome)) outcome.value = args[0];
        else console.log(...args);
      },
      error: (...args) => {
        if (outcome && args.length === 5 && args[0] === DIAGNOSTIC) {
          (outcome.diagnostics ||= []).push({ fileName: args[1], line: args[2], character: args[3], messageText: args[4] });
        } else if (outcome && args.length === 1 && !('thrown' in outcome)) outcome.thrown = args[0];
        else console.error(...args);
      },
    };
    const base = createExecutor(rootDir, convs, keep);
    async function execute(src, executionCount) {
      const got = (outcome = {});
      let ok;
      try {
        ok = await base.execute(src);
      } finally {
        outcome = null;
      }
      if (got.diagnostics) return { status: 'error', ...diagnosticsError(got.diagnostics) };
      if (!ok || 'thrown' in got) {
        if (!('thrown' in got)) return { status: 'error', ename: 'Error', evalue: 'the cell failed', traceback: [] };
        const maps = lastMaps();
        const srcLines = src.split('\n');
        const label = `Cell In[${executionCount ?? '?'}]`;
        const where = (frame) => {
          const m = /^(\s+at )(?:(.*?) \()?evalmachine\.<anonymous>:(\d+):(\d+)\)?$/.exec(frame);
          if (!m) return undefined;
          const l0 = Number(m[3]) - 1;
          const c0 = Math.max(0, Number(m[4]) - 1 - (l0 === 0 ? PREFIX.length : 0));
          const line = cellLine(maps, l0, c0);
          const name = m[2] && m[2] !== 'eval' ? m[2] + ' ' : '';
          const at = line === undefined ? label : `${label}, line ${line}`;
          const code = line === undefined ? '' : (srcLines[line - 1] ?? '').trim();
          return `${m[1]}${name ? `${name}(${at})` : at}${code ? `\n----> ${line} ${code}` : ''}`;
        };
        return { status: 'error', ...errorInfo(got.thrown, where) };
      }
      try {
        return { status: 'ok', value: await displayOf(got.value) };
      } catch (e) {
        return { status: 'error', ...errorInfo(e, () => undefined) };
      }
    }
    return { ...base, execute };
  };
}

module.exports = { wrapExecutor, withSourceMaps, errorInfo, diagnosticsError, displayOf, cellLine };
