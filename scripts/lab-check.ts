/**
 * `npm run lab-check`: runs notebooks in a live JupyterLab UI (headless Chromium through
 * playwright-core) on the registered "gradscope" kernel, then on Deno's kernel (`deno jupyter`, from
 * the `deno` devDependency), and checks, per notebook and kernel, for every output, which MIME
 * renderer JupyterLab picked, whether the Vega-Lite charts were actually drawn, and that the browser
 * logged no error. JupyterLab must be installed somewhere (pass its `jupyter` executable); .ci/run
 * installs it into out/lab-venv with pip where a package index or wheel mirror is reachable.
 *
 *   npm run lab-check -- --jupyter /path/to/venv/bin/jupyter [options] [notebook.ipynb ...]
 *
 * Run it from the gradscope checkout (its cwd is taken as the repo root: playwright-core is loaded
 * from there). Without notebooks it runs notebooks/[0-9]*.ipynb of the checkout.
 *
 * Options:
 *   --jupyter PATH     jupyter executable with JupyterLab 4 ($JUPYTER); required
 *   --chromium PATH    Chromium ($CHROMIUM_PATH, else /usr/bin/chromium, chromium-browser, google-chrome)
 *   --out DIR          screenshots, lab-check.json, jupyter-lab.log, and root/ with the notebook
 *                      copies (default: out/lab-check)
 *   --in-place         open the notebooks where they are instead of copies (server root: their common
 *                      folder); they are never saved, and are checked byte for byte afterwards
 *   --port N           server port (default: a free one)
 *   --timeout S        per notebook, run all + render (default 300)
 *   --windowing MODE   notebook windowingMode setting (default: JupyterLab's own, contentVisibility in 4.6)
 *   --kernels LIST     the passes, in order: gradscope, deno or gradscope,deno (default)
 *   --keep             keep the scratch folder (settings, workspaces, runtime, config, kernelspec)
 *
 * What it does:
 *   1. registers Deno's kernel as "gradscope-lab-deno" in a scratch JUPYTER_PATH entry given to the
 *      server only (your own kernelspecs are neither read for it nor written), and checks that
 *      `jupyter kernelspec list` with it sees "gradscope" (npm run kernel) and that one;
 *   2. copies the notebooks into <out>/root (nothing under notebooks/ is written), or with --in-place
 *      serves their folder, and starts `jupyter lab --no-browser` there with a random token, scratch
 *      settings/workspaces/runtime/config/checkpoint dirs (JupyterLab makes a checkpoint of every
 *      notebook it opens: FileCheckpoints.checkpoint_dir is set to an absolute scratch path so no
 *      .ipynb_checkpoints/ appears beside the notebooks), autosave off, news and update checks off, and
 *      `expose_app_in_browser` (window.jupyterapp). The kernel runs in the notebook's folder; <out>
 *      may be anywhere: the registered kernel resolves gradscope and its types from any folder
 *      (scripts/tslab-kernel.cjs). Deno resolves `import * as gs from 'gradscope'` through the nearest
 *      package.json and node_modules/gradscope above the notebook: inside the checkout its self-link;
 *      copies outside it get root/package.json and root/node_modules/gradscope -> the checkout (an
 *      --in-place folder outside it must have them);
 *   3. in Chromium (one browser, one page, requests outside the server blocked): per kernel, per
 *      notebook, docmanager:open (on Deno's kernel: a session with that kernel is started for the
 *      notebook's path first, POST /api/sessions, and JupyterLab connects the notebook to it instead
 *      of starting the gradscope kernel its metadata names), wait for the kernel,
 *      notebook:run-all-cells, wait until every code cell ran and the kernel is idle, wait for the
 *      charts to render, then per output record the MIME types in the output model (what the kernel
 *      sent, plus the image/png JupyterLab's Vega renderer adds after drawing), the one rendermime
 *      prefers, the one on screen (data-mime-type, or the renderer's class: the Vega renderer sets
 *      no data-mime-type), for Vega: canvas/svg, its size and how many coloured (non-grey) pixels /
 *      mark elements it drew; for specs with tooltips, hover mark pixels until vega-tooltip shows
 *      (the chart is live, not a picture); screenshot each chart and the notebook; shut the kernel
 *      down and close without saving;
 *   4. writes <out>/lab-check.json (a result per notebook and kernel; screenshots of the Deno pass end
 *      in -deno) and exits 1 when a cell failed, a chart was not rendered by the
 *      Vega-Lite renderer, drew nothing, or the page logged an error (console or uncaught), other than
 *      KNOWN_NOISE below (listed, counted, not failed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = process.cwd();
// playwright-core from the checkout (this file may live outside it)
const { chromium } = createRequire(path.join(root, 'package.json'))('playwright-core') as typeof import('playwright-core');
type Page = import('playwright-core').Page;

const VEGALITE = 'application/vnd.vegalite.v5+json';

/**
 * Browser messages that do not come from gradscope, listed and counted but not failed:
 * - "No active debugger session": JupyterLab itself, with any kernel whose kernel.json lacks
 *   `metadata.debugger` (reproduced in JupyterLab 4.6.4 with a plain ipykernel kernelspec without it):
 *   the notebook debugger handler calls `displayModules()` on every execute_reply, which rejects
 *   (uncaught) when there is no debug session; one per executed cell, nothing visible in the UI;
 * - Chromium's getImageData hint, caused by this check reading the chart canvases.
 * (tslab's "History was unable to be retrieved" warning is reported but is only a warning: tslab
 * does not implement history_request.)
 */
const KNOWN_NOISE: { pattern: RegExp; why: string }[] = [
  { pattern: /^pageerror: No active debugger session$/, why: 'JupyterLab debugger handler, any kernel without metadata.debugger (once per executed cell)' },
  { pattern: /^warning: Canvas2D: Multiple readback operations using getImageData/, why: "this check's own getImageData on the chart canvases" },
];
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/**
 * The passes: the notebooks' own kernel (their metadata names "gradscope"), then Deno's, registered
 * for this run under `spec` (a name of its own: a user's "deno" kernelspec is left alone) and
 * started for each notebook before JupyterLab opens it. `suffix` ends the screenshots' names.
 */
const KERNELS = {
  gradscope: { spec: 'gradscope', startFirst: false, suffix: '' },
  deno: { spec: 'gradscope-lab-deno', startFirst: true, suffix: '-deno' },
};
type KernelName = keyof typeof KERNELS;

interface Options { jupyter: string; chromium: string; out: string; port: number; timeout: number; windowing?: string; keep: boolean; inPlace: boolean; kernels: KernelName[]; notebooks: string[] }

function fail(msg: string): never { console.error(`lab-check: ${msg}`); process.exit(2); }

function options(): Options {
  const argv = process.argv.slice(2);
  const o: Partial<Options> & { notebooks: string[] } = { jupyter: process.env.JUPYTER && path.resolve(process.env.JUPYTER), out: path.join(root, 'out', 'lab-check'), port: 0, timeout: 300, keep: false, inPlace: false, kernels: ['gradscope', 'deno'], notebooks: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) fail(`${a} needs a value`); return argv[++i]; };
    if (a === '--jupyter') o.jupyter = path.resolve(val());
    else if (a === '--chromium') o.chromium = val();
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '--port') o.port = Number(val());
    else if (a === '--timeout') o.timeout = Number(val());
    else if (a === '--windowing') o.windowing = val();
    else if (a === '--keep') o.keep = true;
    else if (a === '--in-place') o.inPlace = true;
    else if (a === '--kernels') {
      o.kernels = val().split(',').filter(Boolean) as KernelName[];
      for (const k of o.kernels) if (!(k in KERNELS)) fail(`unknown kernel ${k} (${Object.keys(KERNELS).join(', ')})`);
      if (!o.kernels.length) fail('--kernels needs gradscope, deno or both');
    }
    else if (a.startsWith('--')) fail(`unknown option ${a}`);
    else o.notebooks.push(path.resolve(a));
  }
  if (!o.jupyter) fail('pass --jupyter /path/to/jupyter (a Jupyter with JupyterLab 4), or set JUPYTER');
  if (!fs.existsSync(o.jupyter)) fail(`${o.jupyter} does not exist`);
  const browsers = [o.chromium, process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  o.chromium = browsers.find((c) => c && fs.existsSync(c));
  if (!o.chromium) fail('no Chromium found: pass --chromium PATH or set CHROMIUM_PATH');
  if (!o.notebooks.length) {
    const dir = path.join(root, 'notebooks');
    o.notebooks = fs.readdirSync(dir).filter((f) => /^[0-9].*\.ipynb$/.test(f)).sort().map((f) => path.join(dir, f));
  }
  for (const nb of o.notebooks) if (!fs.existsSync(nb)) fail(`no such notebook: ${nb}`);
  return o as Options;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A settings override file in JupyterLab's user-settings layout. */
function setting(dir: string, plugin: string, value: object): void {
  const [pkg, name] = plugin.split(':');
  const file = path.join(dir, pkg, `${name}.jupyterlab-settings`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

// ----------------------------------------------------------------------------------------------
// In-page functions (run by page.evaluate inside JupyterLab; `window.jupyterapp` is exposed)

/** Opens a notebook, waits for its kernel, starts "run all" (the promise is kept on window). */
async function pageOpenAndRun(arg: { path: string; kernelTimeoutMs: number }) {
  const app = (window as any).jupyterapp;
  const widget = await app.commands.execute('docmanager:open', { path: arg.path, factory: 'Notebook' });
  await widget.context.ready;
  app.shell.activateById(widget.id);
  const sc = widget.context.sessionContext;
  await sc.ready;
  const t0 = Date.now();
  while (!(sc.session?.kernel && sc.session.kernel.status === 'idle' && sc.session.kernel.connectionStatus === 'connected')) {
    if (Date.now() - t0 > arg.kernelTimeoutMs) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const kernel = { name: sc.session?.kernel?.name, status: sc.session?.kernel?.status, connection: sc.session?.kernel?.connectionStatus, display: sc.kernelDisplayName };
  (window as any).__labcheck = { id: widget.id, done: false, result: undefined, error: undefined, failed: [] };
  const state = (window as any).__labcheck;
  // tslab reports a TypeScript error as a stderr stream and an execute_reply with status "error"
  // (no error output), so failures are read from the replies.
  sc.session?.kernel?.anyMessage.connect((_: unknown, a: any) => {
    if (a.direction === 'recv' && a.msg.header.msg_type === 'execute_reply' && a.msg.content.status !== 'ok') {
      state.failed.push({ executionCount: a.msg.content.execution_count, status: a.msg.content.status, ename: a.msg.content.ename, evalue: String(a.msg.content.evalue ?? '').slice(0, 300) });
    }
  });
  app.commands.execute('notebook:run-all-cells').then((r: unknown) => { state.done = true; state.result = r; }, (e: Error) => { state.done = true; state.error = String(e?.message ?? e); });
  return { kernel, id: widget.id, cells: widget.content.widgets.length };
}

/** How far the run got. */
function pageProgress() {
  const app = (window as any).jupyterapp;
  const state = (window as any).__labcheck;
  const widget = app.shell.widgets ? Array.from(app.shell.widgets('main')).find((w: any) => w.id === state.id) as any : undefined;
  const cells = widget ? widget.content.widgets.filter((c: any) => c.model.type === 'code') : [];
  const counts = cells.map((c: any) => c.model.executionCount);
  const busy = cells.filter((c: any) => (c.node.querySelector('.jp-InputPrompt')?.textContent ?? '').includes('*')).length;
  const kernel = widget?.context.sessionContext.session?.kernel;
  const vega = cells.flatMap((c: any) => Array.from(c.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.vegalite.v5+json"]')));
  const vegaDone = vega.filter((el: any) => el.querySelector('.vega-embed canvas, .vega-embed svg.marks') || /Error/.test(el.textContent ?? '')).length;
  return { done: state.done, result: state.result, error: state.error, failed: state.failed as { executionCount: number; status: string; ename?: string; evalue?: string }[], code: cells.length, ran: counts.filter((n: any) => n !== null).length, busy, kernel: kernel?.status, vega: vega.length, vegaDone };
}

interface OutputInfo {
  cell: number; // code cell number, 1-based
  output: number; // output number in the cell, 1-based
  outputType: string;
  sent: string[]; // MIME types in the output model (as sent by the kernel, plus what JupyterLab added)
  preferred: string | null; // the MIME type JupyterLab's rendermime picks for this bundle (what OutputArea renders)
  rendered: string | null; // what the DOM shows: data-mime-type, else the renderer's class (jp-RenderedVegaLite ...)
  classes: string;
  text: string; // first 200 chars of text content (errors, text outputs)
  vega?: { embed: boolean; kind: 'canvas' | 'svg' | 'none'; width: number; height: number; colouredPixels: number; inkPixels: number; markElements: number; actions: boolean; error?: string };
  /** The spec has tooltip encodings: whether hovering its marks showed vega-tooltip's box, and its text. */
  tooltip?: { expected: boolean; shown: boolean; text?: string; screenshot?: string };
  screenshot?: string;
}

/** Every output of the notebook, with what was sent, what was rendered, and for Vega what was drawn. */
function pageOutputs(id: string): OutputInfo[] {
  const app = (window as any).jupyterapp;
  const widget = Array.from(app.shell.widgets('main')).find((w: any) => w.id === id) as any;
  const out: OutputInfo[] = [];
  let codeNo = 0;
  for (const cell of widget.content.widgets) {
    if (cell.model.type !== 'code') continue;
    codeNo++;
    const models = cell.model.outputs;
    const children = Array.from(cell.node.querySelectorAll('.jp-OutputArea-child')) as HTMLElement[];
    for (let i = 0; i < models.length; i++) {
      const m = models.get(i);
      const child = children[i];
      const el = child?.querySelector('.jp-OutputArea-output') as HTMLElement | null;
      el?.setAttribute('data-labcheck', `${codeNo}-${i + 1}`);
      const classes = el ? Array.from(el.classList) : [];
      // Renderers derived from RenderedCommon set data-mime-type; the Vega one does not: its classes
      // are jp-RenderedVegaCommon5 + jp-RenderedVegaLite (Vega-Lite) or jp-RenderedVega5 (Vega).
      const byClass = classes.includes('jp-RenderedVegaLite') ? 'application/vnd.vegalite.v5+json'
        : classes.includes('jp-RenderedVega5') ? 'application/vnd.vega.v5+json' : null;
      const info: OutputInfo = {
        cell: codeNo, output: i + 1, outputType: m.type,
        sent: Object.keys(m.data ?? {}),
        preferred: widget.content.rendermime.preferredMimeType(m.data, m.trusted ? 'any' : 'ensure') ?? null,
        rendered: el?.getAttribute('data-mime-type') ?? byClass,
        classes: classes.filter((c) => c.startsWith('jp-')).join(' '),
        text: (el?.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 200),
      };
      if (el && (info.rendered === 'application/vnd.vegalite.v5+json' || info.sent.includes('application/vnd.vegalite.v5+json'))) {
        const embed = el.querySelector('.vega-embed');
        const canvas = el.querySelector('.vega-embed canvas') as HTMLCanvasElement | null;
        const svg = el.querySelector('.vega-embed svg.marks') as SVGSVGElement | null;
        const v: NonNullable<OutputInfo['vega']> = { embed: !!embed, kind: canvas ? 'canvas' : svg ? 'svg' : 'none', width: 0, height: 0, colouredPixels: 0, inkPixels: 0, markElements: 0, actions: !!el.querySelector('.vega-embed details, .vega-actions') };
        if (canvas) {
          const r = canvas.getBoundingClientRect();
          v.width = Math.round(r.width); v.height = Math.round(r.height);
          const ctx = canvas.getContext('2d');
          if (ctx && canvas.width && canvas.height) {
            const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let p = 0; p < d.length; p += 4) {
              const [r0, g0, b0, a0] = [d[p], d[p + 1], d[p + 2], d[p + 3]];
              if (a0 < 16) continue;
              if (!(r0 > 245 && g0 > 245 && b0 > 245)) v.inkPixels++;
              if (Math.max(r0, g0, b0) - Math.min(r0, g0, b0) > 40) v.colouredPixels++; // marks, not grey axes/text
            }
          }
        } else if (svg) {
          const r = svg.getBoundingClientRect();
          v.width = Math.round(r.width); v.height = Math.round(r.height);
          for (const g of Array.from(svg.querySelectorAll('.role-mark'))) {
            for (const e of Array.from(g.querySelectorAll('path, rect, circle, line'))) {
              const b = (e as SVGGraphicsElement).getBBox();
              if (b.width > 0 || b.height > 0) v.markElements++;
            }
          }
        }
        if (/Javascript Error|Error:/.test(el.textContent ?? '')) v.error = (el.textContent ?? '').trim().slice(0, 300);
        info.vega = v;
        info.tooltip = { expected: JSON.stringify(m.data['application/vnd.vegalite.v5+json'] ?? {}).includes('"tooltip"'), shown: false };
      }
      out.push(info);
    }
  }
  return out;
}

/** Up to `max` viewport points on coloured (mark) pixels of a chart's canvas, spread over the canvas. */
function pageMarkPoints(arg: { sel: string; max: number }): { x: number; y: number }[] {
  const canvas = document.querySelector(`${arg.sel} .vega-embed canvas`) as HTMLCanvasElement | null;
  if (!canvas) return [];
  const ctx = canvas.getContext('2d');
  if (!ctx || !canvas.width || !canvas.height) return [];
  const r = canvas.getBoundingClientRect();
  const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const all: { x: number; y: number }[] = [];
  for (let y = 0; y < canvas.height; y += 2) {
    for (let x = 0; x < canvas.width; x += 2) {
      const p = (y * canvas.width + x) * 4;
      if (d[p + 3] > 200 && Math.max(d[p], d[p + 1], d[p + 2]) - Math.min(d[p], d[p + 1], d[p + 2]) > 60) {
        all.push({ x: r.left + (x * r.width) / canvas.width, y: r.top + (y * r.height) / canvas.height });
      }
    }
  }
  const step = Math.max(1, Math.floor(all.length / arg.max));
  return all.filter((_, i) => i % step === 0).slice(0, arg.max);
}

/** Shuts the notebook's kernel down and closes it without saving. */
async function pageClose(id: string) {
  const app = (window as any).jupyterapp;
  const widget = Array.from(app.shell.widgets('main')).find((w: any) => w.id === id) as any;
  if (!widget) return;
  await widget.context.sessionContext.shutdown().catch(() => {});
  widget.context.model.dirty = false;
  widget.dispose();
}

// ----------------------------------------------------------------------------------------------

interface NotebookResult {
  notebook: string; pass: KernelName; seconds: number; kernel: unknown; codeCells: number; ran: number;
  cellErrors: { cell: number; text: string }[];
  outputs: OutputInfo[]; console: string[]; knownNoise: number; problems: string[]; screenshot: string; ok: boolean;
}

async function main() {
  const o = options();
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (pkg.name !== 'gradscope') fail(`run this from the gradscope checkout (cwd ${root} is ${pkg.name})`);
  fs.mkdirSync(o.out, { recursive: true });

  const version = spawnSync(o.jupyter, ['lab', '--version'], { encoding: 'utf8' });
  if (version.status !== 0) fail(`${o.jupyter} lab --version failed: ${version.stderr}`);
  const labVersion = version.stdout.trim();
  // scratch: settings, workspaces, runtime, config, Deno's kernelspec (nothing of the user's Jupyter setup is read or written)
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-lab-'));
  function failScratch(msg: string): never { fs.rmSync(scratch, { recursive: true, force: true }); fail(msg); }
  const jupyterPath = path.join(scratch, 'jupyter');
  if (o.kernels.includes('deno')) {
    let deno: string | undefined;
    try { deno = (createRequire(path.join(root, 'package.json'))('deno/install_api.cjs') as { runInstall(): string }).runInstall(); } catch { /* below */ }
    if (!deno || !fs.existsSync(deno)) failScratch('no deno binary: the `deno` devDependency is not installed (npm ci); or pass --kernels gradscope');
    const dir = path.join(jupyterPath, 'kernels', KERNELS.deno.spec);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify({ argv: [deno, 'jupyter', '--kernel', '--conn', '{connection_file}'], display_name: 'Deno (lab-check)', language: 'typescript' }));
  }
  const env = { ...process.env, JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter) };
  const specs = spawnSync(o.jupyter, ['kernelspec', 'list', '--json'], { encoding: 'utf8', env });
  const kernelspecs = specs.status === 0 ? JSON.parse(specs.stdout).kernelspecs : {};
  if (o.kernels.includes('gradscope') && !kernelspecs.gradscope) failScratch('this Jupyter does not see the kernel "gradscope": run `npm run kernel` (or set JUPYTER_PATH)');
  for (const k of o.kernels) if (!kernelspecs[KERNELS[k].spec]) failScratch(`this Jupyter does not see the kernel "${KERNELS[k].spec}"`);
  const runs = o.kernels.map((k) => ({ name: k, ...KERNELS[k], argv: kernelspecs[KERNELS[k].spec].spec.argv as string[] }));
  console.log(`JupyterLab ${labVersion} (${o.jupyter}); ${runs.map((k) => `kernel ${k.spec} -> ${k.argv.slice(0, 2).join(' ')}`).join('; ')}`);

  // The server root: copies under <out>/root, or (--in-place) the notebooks' common folder.
  let labRoot: string;
  let names: string[];
  const inside = (dir: string, p: string) => !path.relative(dir, p).startsWith('..') && !path.isAbsolute(path.relative(dir, p));
  const hasGradscope = (dir: string): boolean => fs.existsSync(path.join(dir, 'node_modules', 'gradscope', 'package.json')) || (path.dirname(dir) !== dir && hasGradscope(path.dirname(dir)));
  const untouched: { file: string; sha: string }[] = [];
  const listings = new Map<string, string[]>();
  const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
  const ls = (d: string) => fs.readdirSync(d).sort();
  if (o.inPlace) {
    labRoot = path.dirname(o.notebooks[0]);
    while (!o.notebooks.every((nb) => inside(labRoot, nb))) labRoot = path.dirname(labRoot);
    names = o.notebooks.map((nb) => path.relative(labRoot, nb));
    if (o.kernels.includes('deno') && !inside(root, labRoot) && !hasGradscope(labRoot)) failScratch(`${labRoot} is outside the checkout and has no node_modules/gradscope above it: Deno's kernel cannot import gradscope there`);
    for (const nb of o.notebooks) untouched.push({ file: nb, sha: sha(nb) });
    for (const d of new Set(o.notebooks.map((nb) => path.dirname(nb)))) listings.set(d, ls(d));
  } else {
    labRoot = path.join(o.out, 'root');
    fs.rmSync(labRoot, { recursive: true, force: true });
    fs.mkdirSync(labRoot, { recursive: true });
    // Outside the checkout the registered kernel resolves gradscope from any folder; Deno's needs it installed above the notebook.
    if (!inside(root, labRoot)) {
      console.log(`note: ${labRoot} is outside the checkout; the gradscope kernel resolves gradscope from the checkout`);
      if (o.kernels.includes('deno')) {
        fs.writeFileSync(path.join(labRoot, 'package.json'), JSON.stringify({ private: true, dependencies: { gradscope: `file:${root}` } }));
        fs.mkdirSync(path.join(labRoot, 'node_modules'));
        fs.symlinkSync(root, path.join(labRoot, 'node_modules', 'gradscope'), 'dir');
      }
    }
    names = o.notebooks.map((nb) => {
      let name = path.basename(nb);
      while (fs.existsSync(path.join(labRoot, name))) name = `_${name}`;
      fs.copyFileSync(nb, path.join(labRoot, name));
      return name;
    });
  }
  const settings = path.join(scratch, 'settings');
  setting(settings, '@jupyterlab/apputils-extension:notification', { fetchNews: 'false', checkForUpdates: false });
  setting(settings, '@jupyterlab/docmanager-extension:plugin', { autosave: false });
  if (o.windowing) setting(settings, '@jupyterlab/notebook-extension:tracker', { windowingMode: o.windowing });

  const port = o.port || await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(o.out, 'jupyter-lab.log'), 'w');
  const server: ChildProcess = spawn(o.jupyter, [
    'lab', '--no-browser', `--port=${port}`, '--ServerApp.ip=127.0.0.1', '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${labRoot}`,
    '--LabApp.expose_app_in_browser=True', `--FileCheckpoints.checkpoint_dir=${path.join(scratch, 'checkpoints')}`, '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ], {
    cwd: labRoot, detached: true, stdio: ['ignore', log, log],
    env: {
      ...env,
      JUPYTERLAB_SETTINGS_DIR: settings,
      JUPYTERLAB_WORKSPACES_DIR: path.join(scratch, 'workspaces'),
      JUPYTER_RUNTIME_DIR: path.join(scratch, 'runtime'),
      JUPYTER_CONFIG_DIR: path.join(scratch, 'config'),
    },
  });
  let serverExited = false;
  server.on('exit', () => { serverExited = true; });
  const stopServer = async () => {
    if (serverExited || server.pid === undefined) return;
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
    for (let i = 0; i < 50 && !serverExited; i++) await sleep(200);
    if (!serverExited) try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
  };

  const t0 = Date.now();
  const results: NotebookResult[] = [];
  let browserVersion = '';
  let libraries: Record<string, string> = {};
  let pageErrorStacks: { nb: string; stack: string }[] = [];
  const passes: { kernel: KernelName; spec: string; argv: string[]; seconds: number; ok: number; notebooks: number }[] = [];
  try {
    // wait for the server
    for (;;) {
      if (serverExited) throw new Error(`jupyter lab exited; see ${path.join(o.out, 'jupyter-lab.log')}`);
      if (Date.now() - t0 > 60_000) throw new Error('jupyter lab did not answer within 60 s');
      try { if ((await fetch(`${base}/api/status?token=${token}`)).ok) break; } catch { /* not yet */ }
      await sleep(500);
    }
    console.log(`server ${base} (root ${labRoot})`);

    const browser = await chromium.launch({ executablePath: o.chromium, headless: true, args: ARGS });
    browserVersion = browser.version();
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    let current = '(start)';
    const consoleLines: { nb: string; line: string }[] = [];
    const blocked: string[] = [];
    const stacks: { nb: string; stack: string }[] = [];
    pageErrorStacks = stacks;
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base) || /^(data|blob|about):/.test(url)) return route.continue();
      blocked.push(url);
      consoleLines.push({ nb: current, line: `blocked request (offline check): ${url}` });
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleLines.push({ nb: current, line: `${m.type()}: ${m.text()}` });
    });
    page.on('pageerror', (e) => {
      consoleLines.push({ nb: current, line: `pageerror: ${e.message}` });
      stacks.push({ nb: current, stack: e.stack ?? e.message });
    });
    page.on('response', async (r) => {
      if (/\/static\/lab\/main\.[0-9a-f]+\.js/.test(r.url())) {
        const body = await r.text().catch(() => '');
        for (const m of body.matchAll(/name:"(vega|vega-lite|vega-embed)",version:"([^"]+)"/g)) libraries[m[1]] = m[2];
      }
    });

    await page.goto(`${base}/lab?token=${token}&reset`, { waitUntil: 'load', timeout: 120_000 });
    await page.waitForFunction(() => (window as any).jupyterapp?.commands?.hasCommand('notebook:run-all-cells'), undefined, { timeout: 120_000 });
    await page.evaluate(() => (window as any).jupyterapp.restored);
    const appVersion = await page.evaluate(() => (window as any).jupyterapp.version);
    console.log(`chromium ${browserVersion}; JupyterLab front end ${appVersion}; bundled ${Object.entries(libraries).map(([k, v]) => `${k} ${v}`).join(', ') || '(library versions not found)'}`);

    for (const kernel of runs) {
      const tk = Date.now();
      console.log(`\n${kernel.name} kernel (${kernel.spec}: ${kernel.argv.slice(0, 2).join(' ')})`);
      for (const [k, name] of names.entries()) {
        const t = Date.now();
        current = `${name} [${kernel.name}]`;
        const before = consoleLines.length;
        const problems: string[] = [];
        // The notebook's session context connects to a running session of its path, if any, rather
        // than start the kernel its metadata names: so Deno's is started for it through the REST API.
        if (kernel.startFirst) {
          const r = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ path: name, type: 'notebook', name, kernel: { name: kernel.spec } }) });
          if (!r.ok) problems.push(`could not start a ${kernel.spec} session: ${r.status} ${(await r.text()).slice(0, 300)}`);
        }
        const opened = await page.evaluate(pageOpenAndRun, { path: name, kernelTimeoutMs: 120_000 });
        if (opened.kernel.name !== kernel.spec) problems.push(`kernel is ${opened.kernel.name} (${opened.kernel.display}), not ${kernel.spec}`);
        if (opened.kernel.status !== 'idle') problems.push(`kernel not ready: ${opened.kernel.status} / ${opened.kernel.connection}`);
        let progress = await page.evaluate(pageProgress);
        let rendered = false;
        while (Date.now() - t < o.timeout * 1000) {
          progress = await page.evaluate(pageProgress);
          if (progress.done && progress.kernel === 'idle' && progress.busy === 0) {
            if (progress.vegaDone >= progress.vega) { rendered = true; break; }
          }
          await sleep(1000);
        }
        if (!progress.done) problems.push(`run all did not finish in ${o.timeout} s (${progress.ran}/${progress.code} cells ran)`);
        else if (!rendered) problems.push(`charts not rendered in time: ${progress.vegaDone}/${progress.vega}`);
        if (progress.error) problems.push(`run all failed: ${progress.error}`);
        await sleep(1500); // let late renders (the PNG the Vega renderer adds) settle

        const outputs: OutputInfo[] = await page.evaluate(pageOutputs, opened.id);
        const cellErrors = outputs.filter((x) => x.outputType === 'error').map((x) => ({ cell: x.cell, text: x.text }));
        for (const e of cellErrors) problems.push(`code cell ${e.cell} failed: ${e.text}`);
        for (const f of progress.failed) {
          const stderr = outputs.filter((x) => x.sent.includes('application/vnd.jupyter.stderr')).map((x) => `cell ${x.cell}: ${x.text}`).join(' | ');
          problems.push(`execute_reply ${f.status} for execution [${f.executionCount}]${f.ename ? ` ${f.ename}: ${f.evalue}` : ''}${stderr ? ` (stderr: ${stderr.slice(0, 400)})` : ''}`);
        }
        if (progress.ran < progress.code) problems.push(`${progress.ran}/${progress.code} code cells ran`);
        let tooltipShot: string | undefined;
        const stem = `${String(k + 1).padStart(2, '0')}-${name.replace(/\.ipynb$/, '').replace(/[\/]/g, '__')}${kernel.suffix}`;
        for (const x of outputs) {
          if (!x.sent.includes(VEGALITE)) continue;
          const tag = `cell ${x.cell} output ${x.output}`;
          if (x.preferred !== VEGALITE) problems.push(`${tag}: JupyterLab prefers ${x.preferred}, not ${VEGALITE}`);
          if (x.rendered !== VEGALITE) problems.push(`${tag}: rendered as ${x.rendered} (${x.classes}), not ${VEGALITE}`);
          const v = x.vega;
          if (!v || !v.embed) problems.push(`${tag}: no .vega-embed`);
          else if (v.kind === 'none') problems.push(`${tag}: vega-embed drew no canvas/svg`);
          else if (v.kind === 'canvas' ? v.colouredPixels === 0 : v.markElements === 0) problems.push(`${tag}: no marks drawn`);
          if (v?.error) problems.push(`${tag}: ${v.error}`);
          const el = page.locator(`[data-labcheck="${x.cell}-${x.output}"]`);
          await el.scrollIntoViewIfNeeded().catch(() => {});
          await sleep(200);
          x.screenshot = path.join(o.out, `${stem}-cell${x.cell}-out${x.output}.png`);
          await el.screenshot({ path: x.screenshot }).catch((e) => problems.push(`${tag}: screenshot failed: ${e.message}`));
          // Interactive: hover coloured pixels until vega-tooltip shows its box (charts with tooltips).
          if (x.tooltip?.expected && v?.kind === 'canvas') {
            const points = await page.evaluate(pageMarkPoints, { sel: `[data-labcheck="${x.cell}-${x.output}"]`, max: 80 });
            for (const pt of points) {
              await page.mouse.move(pt.x, pt.y);
              await sleep(40);
              const text = await page.evaluate(() => {
                const e = document.getElementById('vg-tooltip-element');
                return e && e.classList.contains('visible') ? (e.textContent ?? '').replace(/\s+/g, ' ').trim() : null;
              });
              if (text) {
                x.tooltip.shown = true;
                x.tooltip.text = text.slice(0, 200);
                if (!tooltipShot) {
                  tooltipShot = path.join(o.out, `${stem}-cell${x.cell}-out${x.output}-tooltip.png`);
                  x.tooltip.screenshot = tooltipShot;
                  await page.screenshot({ path: tooltipShot });
                }
                break;
              }
            }
            await page.mouse.move(1, 1);
            if (!x.tooltip.shown) problems.push(`${tag}: the spec has tooltips, but hovering ${points.length} mark pixels showed none`);
          }
        }
        const screenshot = path.join(o.out, `${stem}.png`);
        await page.screenshot({ path: screenshot });
        await page.evaluate(pageClose, opened.id);
        await sleep(500);
        const lines = consoleLines.slice(before).map((c) => c.line);
        const noise = lines.filter((l) => KNOWN_NOISE.some((k) => k.pattern.test(l)));
        for (const l of lines) if (/^(error|pageerror|blocked)/.test(l) && !noise.includes(l)) problems.push(`browser: ${l.slice(0, 500)}`);
        const res: NotebookResult = {
          notebook: name, pass: kernel.name, seconds: (Date.now() - t) / 1000, kernel: opened.kernel, codeCells: progress.code, ran: progress.ran,
          cellErrors, outputs, console: lines.filter((l) => !noise.includes(l)), knownNoise: noise.length, problems, screenshot, ok: problems.length === 0,
        };
        results.push(res);
        const charts = outputs.filter((x) => x.sent.includes(VEGALITE));
        const asVega = charts.filter((x) => x.rendered === VEGALITE && x.vega && (x.vega.colouredPixels > 0 || x.vega.markElements > 0)).length;
        console.log(`${res.ok ? 'ok    ' : 'FAILED'} ${kernel.name.padEnd(9)} ${name.padEnd(36)} ${progress.ran}/${progress.code} cells, ${asVega}/${charts.length} charts drawn by the Vega-Lite renderer, ${res.console.length} console errors/warnings (+${noise.length} ignored, see KNOWN_NOISE), ${res.seconds.toFixed(1)} s`);
        for (const x of outputs) {
          const v = x.vega ? ` ${x.vega.kind} ${x.vega.width}x${x.vega.height}, ${x.vega.kind === 'canvas' ? `${x.vega.colouredPixels} coloured px` : `${x.vega.markElements} marks`}` : '';
          const tip = x.tooltip?.expected ? (x.tooltip.shown ? `; tooltip "${x.tooltip.text?.slice(0, 60)}"` : '; tooltip NOT shown') : '';
          console.log(`         cell ${String(x.cell).padStart(2)}.${x.output} ${x.outputType.padEnd(14)} [${x.sent.join(', ')}] -> ${x.rendered}${x.preferred !== x.rendered ? ` (rendermime prefers ${x.preferred})` : ''}${v}${tip}`);
        }
        for (const l of res.console) console.log(`         console ${l.slice(0, 300)}`);
        for (const p of problems) console.log(`         PROBLEM ${p}`);
      }
      const mine = results.filter((r) => r.pass === kernel.name);
      passes.push({ kernel: kernel.name, spec: kernel.spec, argv: kernel.argv, seconds: (Date.now() - tk) / 1000, ok: mine.filter((r) => r.ok).length, notebooks: mine.length });
      console.log(`${kernel.name} pass: ${mine.filter((r) => r.ok).length}/${mine.length} notebooks ok in ${((Date.now() - tk) / 1000).toFixed(1)} s`);
    }
    await browser.close();
    if (blocked.length) console.log(`blocked ${blocked.length} requests outside the server`);
  } finally {
    await stopServer();
    fs.closeSync(log);
    if (!o.keep) fs.rmSync(scratch, { recursive: true, force: true });
    else console.log(`scratch kept: ${scratch}`);
  }
  if (o.inPlace) {
    for (const u of untouched) if (sha(u.file) !== u.sha) results.forEach((r) => { if (path.join(labRoot, r.notebook) === u.file) { r.ok = false; r.problems.push(`${u.file} changed on disk`); } });
    for (const [d, before] of listings) {
      const added = ls(d).filter((f) => !before.includes(f));
      if (added.length) { console.log(`PROBLEM new files in ${d}: ${added.join(', ')}`); results.forEach((r) => { r.ok = false; r.problems.push(`new files in ${d}: ${added.join(', ')}`); }); }
    }
    console.log(`in place: ${untouched.length} notebooks checked byte for byte after the run; ${[...listings.keys()].length} folders checked for new files`);
  }
  const summary = { jupyterlab: labVersion, libraries, chromium: browserVersion, windowingMode: o.windowing ?? 'default', root: labRoot, inPlace: o.inPlace, knownNoise: KNOWN_NOISE.map((k) => ({ pattern: String(k.pattern), why: k.why })), seconds: (Date.now() - t0) / 1000, kernels: passes, notebooks: results, pageErrorStacks: pageErrorStacks.slice(0, 20) };
  fs.writeFileSync(path.join(o.out, 'lab-check.json'), JSON.stringify(summary, null, 2) + '\n');
  const failed = results.filter((r) => !r.ok);
  for (const p of passes) console.log(`${p.kernel.padEnd(9)} ${p.ok}/${p.notebooks} notebooks ok in ${p.seconds.toFixed(1)} s`);
  console.log(`\n${results.length - failed.length}/${results.length} notebook runs ok (${runs.map((k) => k.name).join(', ')}) in ${summary.seconds.toFixed(1)} s; ${path.join(o.out, 'lab-check.json')}`);
  process.exit(failed.length || results.length < names.length * runs.length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
