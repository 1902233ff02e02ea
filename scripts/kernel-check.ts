/**
 * `npm run kernel-check`: the registered kernel ("gradscope", `npm run kernel`) used the way a
 * user's Jupyter uses it, always from fresh folders outside this checkout (under the OS temp dir):
 *
 *   protocol   `import * as gs from 'gradscope'` and `const tf = gs.tf;` compile and run with nothing
 *              installed in the folder; a gradscope installed in the folder wins (types and runtime);
 *              outcomes as Jupyter messages: values as execute_result (charts and reports rich), errors
 *              as `error` (ename TSError, TypeError, GradscopeError; traceback at cell lines);
 *              execution counts arrive as iopub execute_input; busy/idle per request in order;
 *              gs.progress updates from a synchronous loop arrive while the cell runs
 *   abort      cell after error: the next cell runs (stop_on_error false and true, nbclient's order);
 *              cells queued behind a failing one with stop_on_error true get status "aborted"
 *   lines      20 cells x 200 printed lines through nbclient: none lost, none misplaced, in a folder
 *              with a node_modules/tslab of its own (a stub that throws if the kernel switched to it)
 *   notebook   a shipped notebook (default notebooks/01-numerical-derivatives.ipynb) copied alone into
 *              a fresh folder, executed with plain `jupyter nbconvert --to notebook --execute`, then
 *              exported with plain `jupyter nbconvert --to html`: every cell has a count, and the page
 *              holds each chart as a PNG that is decoded here and has coloured (drawn) pixels
 *   readme     every ```ts block of README.md, in order, as consecutive cells of one kernel: a block
 *              that fails is named by its heading and line (a block preceded by a line
 *              `<!-- readme-check: skip REASON -->` is listed as skipped, with the reason)
 *
 *   npm run kernel-check                      # all phases
 *   npm run kernel-check -- abort lines       # some
 *   npm run kernel-check -- notebook notebooks/03-vanishing-exploding.ipynb
 *   npm run kernel-check -- readme --show     # also print what each README block printed
 *
 * Where no Python with jupyter_client and nbclient is found it prints SKIPPED and exits 0 (CI on a
 * machine without Jupyter); a failing check exits 1. Figures go to out/kernel-check.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { candidates, probe } from '../src/cli/python';
import { KERNEL_NAME } from '../src/cli/kernel';

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'out');
const PY = path.join(__dirname, 'kernel-check.py');
const PHASES = ['protocol', 'abort', 'lines', 'notebook', 'readme'] as const;
type Phase = (typeof PHASES)[number];

interface Result { check: string; ok: boolean; figures: Record<string, unknown>; problems: string[] }

/** A fresh folder outside the checkout. */
function freshDir(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gradscope-${tag}-`));
  if (!path.relative(root, dir).startsWith('..')) throw new Error(`${dir} is inside the checkout`);
  return dir;
}

function python(): string | undefined {
  for (const c of candidates()) {
    const p = probe(c, ['jupyter_client', 'nbclient', 'nbformat']);
    if (p) return p.executable;
  }
  return undefined;
}

function runPy(py: string, cwd: string, args: string[], timeoutMs = 1_800_000): { lines: any[]; stderr: string; status: number | null } {
  const r = spawnSync(py, [PY, KERNEL_NAME, cwd, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 2 ** 20, env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return { lines, stderr: r.stderr ?? '', status: r.status };
}

// ---------------------------------------------------------------------------------------------
/** A fake gradscope installed in the folder: the kernel must use it, not this checkout. */
function localWins(py: string): Result {
  const dir = freshDir('local');
  const pkg = path.join(dir, 'node_modules', 'gradscope');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'gradscope', version: '9.9.9', main: 'index.js', types: 'index.d.ts' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), "exports.whoami = () => 'the local copy';\n");
  fs.writeFileSync(path.join(pkg, 'index.d.ts'), 'export declare function whoami(): string;\n');
  const cells = path.join(dir, 'cells.json');
  fs.writeFileSync(cells, JSON.stringify([
    { name: 'import', code: "import * as gs from 'gradscope';\nconsole.log(gs.whoami());" },
    { name: 'types', code: "// @ts-expect-error: the local copy has no mlp\ngs.mlp;\nconsole.log('typed by the local copy');" },
  ]));
  const r = runPy(py, dir, ['cells', cells]);
  const problems: string[] = [];
  const [a, b] = r.lines;
  if (!a || a.status !== 'ok' || !/the local copy/.test(a.stdout)) problems.push(`runtime: the folder's own gradscope was not used (${a ? a.status + ' ' + (a.stdout + a.stderr).trim().slice(0, 300) : r.stderr.slice(-500)})`);
  if (!b || b.status !== 'ok') problems.push(`types: the folder's own gradscope's types were not used (${b ? (b.stdout + b.stderr).trim().slice(0, 300) : 'no reply'})`);
  fs.rmSync(dir, { recursive: true, force: true });
  return { check: 'local-wins', ok: !problems.length, figures: { folder: 'fresh, with node_modules/gradscope 9.9.9' }, problems };
}

/**
 * A folder with a node_modules/tslab of its own, a stub that throws when started: tslab's main()
 * would switch to it (enableFindLocal) and run without the launcher's fixes; the launcher must not.
 */
function withLocalTslab(dir: string): void {
  const t = path.join(dir, 'node_modules', 'tslab');
  fs.mkdirSync(path.join(t, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(t, 'package.json'), JSON.stringify({ name: 'tslab', version: '0.0.1-stub', main: 'dist/main.js' }));
  fs.writeFileSync(path.join(t, 'dist', 'main.js'), "exports.startKernel = () => { throw new Error('the folder\\'s own node_modules/tslab was started'); };\n");
}

function protocol(py: string, checks: string[], localTslab = false): Result[] {
  const dir = freshDir('kernel');
  if (localTslab) withLocalTslab(dir);
  const r = runPy(py, dir, checks);
  fs.rmSync(dir, { recursive: true, force: true });
  const got: Result[] = r.lines;
  for (const c of checks) if (!got.some((g) => g.check === c)) got.push({ check: c, ok: false, figures: {}, problems: [`no result (exit ${r.status}): ${r.stderr.trim().slice(-800)}`] });
  return got;
}

// ---------------------------------------------------------------------------------------------
/** RGBA pixels of a PNG (8-bit RGB/RGBA, non-interlaced: what resvg writes), decoded with zlib. */
export function decodePNG(png: Buffer): { width: number; height: number; pixels: Uint8Array; channels: number } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8, width = 0, height = 0, depth = 0, type = 0, interlace = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off), kind = png.toString('latin1', off + 4, off + 8), data = png.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); depth = data[8]; type = data[9]; interlace = data[12]; }
    if (kind === 'IDAT') idat.push(data);
    if (kind === 'IEND') break;
    off += 12 + len;
  }
  const channels = type === 6 ? 4 : type === 2 ? 3 : 0;
  if (depth !== 8 || !channels || interlace) throw new Error(`unsupported PNG (depth ${depth}, colour type ${type}, interlace ${interlace})`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels, out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0, b = y > 0 ? out[(y - 1) * stride + x] : 0, c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      out[y * stride + x] = (src[x] + pred) & 255;
    }
  }
  return { width, height, pixels: out, channels };
}

/** Pixels whose colour is not a grey (max - min channel > 40): marks, not text, axes or background. */
export function colouredPixels(png: Buffer): number {
  const { pixels, channels } = decodePNG(png);
  let n = 0;
  for (let i = 0; i < pixels.length; i += channels) {
    const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40 && (channels === 3 || pixels[i + 3] > 0)) n++;
  }
  return n;
}

function notebook(source: string): Result {
  const problems: string[] = [];
  const dir = freshDir('notebook');
  const name = path.basename(source);
  fs.copyFileSync(source, path.join(dir, name));
  const jupyter = (args: string[]) => spawnSync('jupyter', args, { cwd: dir, encoding: 'utf8', timeout: 1_800_000 });
  const t0 = Date.now();
  // --allow-errors: a failing cell's message (tslab writes it to stderr) stays in the executed copy to report
  const ex = jupyter(['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`, '--ExecutePreprocessor.timeout=600', '--output', 'executed', name]);
  const executeSeconds = (Date.now() - t0) / 1000;
  const executed = path.join(dir, 'executed.ipynb');
  const figures: Record<string, unknown> = { notebook: path.relative(root, source), folder: 'fresh, outside the checkout, nothing installed', executeSeconds };
  if (ex.status !== 0 || !fs.existsSync(executed)) {
    problems.push(`jupyter nbconvert --execute failed (exit ${ex.status}):\n${(ex.stderr || ex.stdout).trim().slice(-2000)}`);
    return { check: 'notebook', ok: false, figures, problems };
  }
  const nb = JSON.parse(fs.readFileSync(executed, 'utf8'));
  const code = nb.cells.filter((c: any) => c.cell_type === 'code');
  const uncounted = code.filter((c: any) => c.execution_count == null).length;
  const text = (t: string | string[]) => (Array.isArray(t) ? t.join('') : t ?? '');
  const failed = code.map((c: any, k: number) => ({ k, c, err: (c.outputs ?? []).filter((o: any) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr' && /Error|^\d+:\d+ - /m.test(text(o.text)))) }))
    .filter((x: any) => x.err.length);
  const errors = failed.reduce((n: number, x: any) => n + x.err.length, 0);
  for (const x of failed.slice(0, 3)) {
    const first = text(x.c.source).split('\n').find((l: string) => l.trim()) ?? '';
    const msg = x.err.map((o: any) => o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : text(o.text)).join('').trim().split('\n').slice(0, 12).join('\n  ');
    problems.push(`code cell ${x.k + 1} (\`${first.trim().slice(0, 80)}\`) failed:\n  ${msg}`);
  }
  const charts = code.flatMap((c: any) => c.outputs ?? []).filter((o: any) => o.data?.['application/vnd.vegalite.v5+json']);
  Object.assign(figures, { codeCells: code.length, uncounted, errorOutputs: errors, chartOutputs: charts.length });
  if (uncounted) problems.push(`${uncounted} of ${code.length} code cells have no execution count`);
  // a homework template as committed (TODO unfilled) may draw nothing; every lecture notebook draws
  const template = /[\\/]homework[\\/]/.test(source);
  if (!charts.length && !template) problems.push('no chart output');
  const html = jupyter(['nbconvert', '--to', 'html', 'executed.ipynb']);
  const page = path.join(dir, 'executed.html');
  if (html.status !== 0 || !fs.existsSync(page)) {
    problems.push(`jupyter nbconvert --to html failed (exit ${html.status}): ${(html.stderr || '').trim().slice(-800)}`);
  } else {
    const text = fs.readFileSync(page, 'utf8');
    const imgs = [...text.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=\s]+)"/g)].map((m) => Buffer.from(m[1].replace(/\s/g, ''), 'base64'));
    const drawn = imgs.map((b) => { try { return colouredPixels(b); } catch { return 0; } });
    const emptySvgs = (text.match(/<svg[^>]*>\s*<\/svg>/g) ?? []).length;
    Object.assign(figures, { pngImages: imgs.length, colouredPixels: drawn, emptySvgBoxes: emptySvgs, prompts: (text.match(/In&nbsp;\[\d+\]:/g) ?? []).length });
    if (imgs.length !== charts.length) problems.push(`the exported page holds ${imgs.length} PNG images for ${charts.length} chart outputs`);
    drawn.forEach((n, i) => { if (n < 500) problems.push(`chart ${i + 1} of the exported page has ${n} coloured pixels: not drawn`); });
    if (emptySvgs) problems.push(`${emptySvgs} empty <svg> boxes in the page`);
    fs.mkdirSync(OUT, { recursive: true });
    fs.copyFileSync(page, path.join(OUT, `kernel-check-${name.replace(/\.ipynb$/, '')}.html`));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { check: 'notebook', ok: !problems.length, figures, problems };
}

// ---------------------------------------------------------------------------------------------
export interface ReadmeBlock { name: string; line: number; code: string; skip?: string }

/** README's ```ts blocks in order, each named by the heading above it and its line. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1].trim();
    if (/^```(ts|typescript)\s*$/.test(lines[i])) {
      const start = i + 1;
      let j = start;
      while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
      const prev = lines.slice(0, i).reverse().find((l) => l.trim() !== '') ?? '';
      const skip = /^<!--\s*readme-check:\s*skip\s*(.*?)\s*-->$/.exec(prev.trim())?.[1];
      blocks.push({ name: `README.md line ${start + 1} ("${heading}")`, line: start + 1, code: lines.slice(start, j).join('\n'), ...(skip !== undefined ? { skip: skip || 'no reason given' } : {}) });
      i = j;
    }
  }
  return blocks;
}

/**
 * Lines of a block whose comment promises a value the cell never shows: tslab shows only a cell's
 * last expression, so `x.y;   // 3.0001` in the middle of a block displays nothing (write
 * `console.log(x.y)`). Flags a discarded property read or call whose comment starts like a value.
 */
export function silentComments(code: string): string[] {
  const lines = code.split('\n');
  const statements = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim() && !l.trim().startsWith('//'));
  const last = statements.length ? statements[statements.length - 1].i : -1;
  const out: string[] = [];
  for (const [k, { l, i }] of statements.entries()) {
    if (i === last) continue;
    if (k > 0 && /(=>|[(,{[=])\s*(\/\/.*)?$/.test(statements[k - 1].l.trim())) continue; // inside a multi-line expression
    const m = /^([A-Za-z_$][\w$]*(?:\.[\w$]+|\[[^\]]*\]|\([^;]*\))*);?\s*\/\/\s*(.*)$/.exec(l.trim());
    if (!m) continue;
    const [, expr, comment] = m;
    if (/^(console|tf\.dispose|gs\.(show|save|progress))\b|\.(dispose|finish|fromVector)\(|^p\(/.test(expr)) continue;
    if (/^(['"[{\d-]|true\b|false\b|NaN\b|✔|✘)/.test(comment)) out.push(`line ${i + 1}: \`${l.trim().slice(0, 90)}\` shows nothing (not the cell's last expression): console.log it`);
  }
  return out;
}

function readme(py: string, show = false): Result {
  const blocks = readmeBlocks(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
  const run = blocks.filter((b) => !b.skip);
  const dir = freshDir('readme');
  const file = path.join(dir, 'cells.json');
  fs.writeFileSync(file, JSON.stringify(run.map((b) => ({ name: b.name, code: b.code }))));
  const r = runPy(py, dir, ['cells', file]);
  fs.rmSync(dir, { recursive: true, force: true });
  const problems: string[] = [];
  const cells = r.lines as { cell: number; name: string; status: string; stdout: string; stderr: string; displays: string[][]; seconds: number }[];
  for (const [k, b] of run.entries()) {
    const c = cells.find((x) => x.cell === k);
    const first = b.code.split('\n').find((l) => l.trim()) ?? '';
    if (c && show) console.log(`--- ${b.name}: ${c.status}, ${c.seconds} s, displays ${JSON.stringify(c.displays)}\n${c.stdout}${c.stderr}`);
    if (!c) { problems.push(`${b.name}: no result (the kernel stopped? exit ${r.status}: ${r.stderr.trim().slice(-600)})\n    ${first}`); continue; }
    if (c.status !== 'ok') problems.push(`${b.name} failed (${c.status}), block starting \`${first.trim()}\`:\n${(c.stderr || c.stdout).trim().split('\n').slice(0, 12).map((l) => '    ' + l).join('\n')}`);
    else if (/Error|Warning/.test(c.stderr)) problems.push(`${b.name} wrote to stderr:\n${c.stderr.trim().split('\n').slice(0, 8).map((l) => '    ' + l).join('\n')}`);
  }
  const silent = run.flatMap((b) => silentComments(b.code).map((w) => `${b.name} ${w}`));
  for (const w of silent) console.log(`note: ${w}`);
  const figures = {
    blocks: blocks.length, run: run.length, silentComments: silent.length, skipped: blocks.filter((b) => b.skip).map((b) => `${b.name}: ${b.skip}`),
    perBlock: cells.map((c) => ({ block: c.name, status: c.status, seconds: c.seconds, stdoutLines: c.stdout.split('\n').filter(Boolean).length, displays: c.displays.length })),
  };
  return { check: 'readme', ok: !problems.length, figures, problems };
}

// ---------------------------------------------------------------------------------------------
function main() {
  const args = process.argv.slice(2);
  const phases = args.filter((a): a is Phase => (PHASES as readonly string[]).includes(a));
  const show = args.includes('--show');
  const extra = args.filter((a) => !(PHASES as readonly string[]).includes(a) && a !== '--show');
  const bad = extra.filter((a) => !a.endsWith('.ipynb'));
  if (bad.length) { console.error(`npm run kernel-check: unknown argument(s) ${bad.join(' ')} (phases: ${PHASES.join(', ')}; or a .ipynb for the notebook phase)`); process.exit(2); }
  const todo: Phase[] = phases.length ? phases : [...PHASES];
  const py = python();
  if (!py) {
    console.log(`SKIPPED: no Python with jupyter_client + nbclient + nbformat (tried ${candidates().join(', ')}); the kernel checks (${todo.join(', ')}) did not run`);
    return;
  }
  const ks = spawnSync(py, ['-c', `from jupyter_client.kernelspec import KernelSpecManager as K; print(K().get_kernel_spec(${JSON.stringify(KERNEL_NAME)}).argv[1])`], { encoding: 'utf8' });
  if (ks.status !== 0) { console.error(`npm run kernel-check: kernel "${KERNEL_NAME}" is not registered; run \`npm run kernel\` first`); process.exit(1); }
  console.log(`kernel "${KERNEL_NAME}" -> ${ks.stdout.trim()}; python ${py}; every check in a fresh folder under ${os.tmpdir()}`);
  const results: Result[] = [];
  const report = (rs: Result[]) => {
    for (const r of rs) {
      results.push(r);
      const figs = Object.entries(r.figures).filter(([k]) => k !== 'perBlock').map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
      console.log(`${r.ok ? 'ok    ' : 'FAILED'} ${r.check.padEnd(12)} ${figs}`);
      for (const p of r.problems) console.log(`         ${p.split('\n').join('\n         ')}`);
    }
  };
  for (const phase of todo) {
    if (phase === 'protocol') { report(protocol(py, ['import', 'messages', 'counts', 'busy', 'progress'])); report([localWins(py)]); }
    if (phase === 'abort') report(protocol(py, ['abort']));
    if (phase === 'lines') report(protocol(py, ['lines'], true).map((r) => ({ ...r, figures: { ...r.figures, folder: 'fresh, with a node_modules/tslab stub of its own' } })));
    if (phase === 'notebook') for (const f of extra.length ? extra : [path.join(root, 'notebooks', '01-numerical-derivatives.ipynb')]) report([notebook(path.resolve(f))]);
    if (phase === 'readme') report([readme(py, show)]);
  }
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, 'kernel-check.json');
  const previous = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  for (const r of results) previous[r.check] = { ...r, at: new Date().toISOString() };
  fs.writeFileSync(file, JSON.stringify(previous, null, 2) + '\n');
  const failed = results.filter((r) => !r.ok);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
}

if (require.main === module) main();
