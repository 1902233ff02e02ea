/**
 * `gradscope native` (`npm run native` in a checkout): gives the project gradscope is installed in
 * (or this checkout) a working @tensorflow/tfjs-node (the `tensorflow` backend)
 * built from a TensorFlow wheel, with no download from TensorFlow's own servers.
 *
 * tfjs-node 4.22's install script downloads libtensorflow 2.9.1 and a prebuilt binding; both URLs are
 * gone. This script instead takes libtensorflow_cc.so.2 and libtensorflow_framework.so.2 plus the C
 * API headers out of a `tensorflow-cpu` wheel (pip, from pip's configured index, or a wheel or a
 * libtensorflow folder/tarball given here), puts them in tfjs-node's deps/lib under the names its
 * binding.gyp links (-ltensorflow) and its install.js looks for (libtensorflow.so.2.9.1, so that a
 * rerun of install.js skips its download), and compiles the binding from source against Node's
 * own headers.
 *
 * What it built is kept under out/native/ in a checkout (git-ignored), under
 * node_modules/.cache/gradscope/native in a project: after `npm ci` wipes node_modules, running
 * this again only reinstalls tfjs-node's package files and hard-links the cached libraries and
 * binding back (seconds). Idempotent: when tfjs-node already loads, it checks and stops.
 *
 *   npm run native                          pip download tensorflow-cpu==2.21.0, build, cache
 *   npm run native -- --wheel FILE.whl      use this wheel (also GRADSCOPE_TF_WHEEL)
 *   npm run native -- --libtensorflow P     a libtensorflow folder (lib/, include/) or .tar.gz
 *                                           (also GRADSCOPE_LIBTENSORFLOW)
 *   npm run native -- --tf-version 2.21.0   which tensorflow-cpu pip fetches (GRADSCOPE_TF_VERSION)
 *   npm run native -- --force               rebuild even when a cached build fits
 *   npm run native -- --check               only say whether tfjs-node loads (exit 1 if not)
 *
 * Exit codes: 0 done, 1 failed (the message says what is missing and what to run), 3 no TensorFlow
 * wheel could be had (pip has no index with tensorflow-cpu, and none was given): CI skips on 3.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { INSTALLED, PACKAGE_ROOT as ROOT, PROJECT_ROOT } from './paths';

const HELP = `builds @tensorflow/tfjs-node (the tensorflow backend) from a TensorFlow wheel, offline from TensorFlow's servers\n\n  npm run native                          pip download tensorflow-cpu==2.21.0, build, cache\n  npm run native -- --wheel FILE.whl      use this wheel (also GRADSCOPE_TF_WHEEL)\n  npm run native -- --libtensorflow P     a libtensorflow folder (lib/, include/) or .tar.gz\n                                          (also GRADSCOPE_LIBTENSORFLOW)\n  npm run native -- --tf-version 2.21.0   which tensorflow-cpu pip fetches (GRADSCOPE_TF_VERSION)\n  npm run native -- --force               rebuild even when a cached build fits\n  npm run native -- --check               only say whether tfjs-node loads (exit 1 if not)\n\nExit codes: 0 done, 1 failed (the message says what is missing and what to run), 3 no TensorFlow\nwheel could be had (pip has no index with tensorflow-cpu, and none was given): CI skips on 3.`;

/** The command as the user typed it, for messages. */
const CMD = INSTALLED ? 'npx gradscope native' : 'npm run native';
/** CMD before its options (npm run needs `--`). */
const CMDX = INSTALLED ? CMD : `${CMD} --`;
/** Builds are kept here: out/native in a checkout, node_modules/.cache/gradscope/native in a project. */
const CACHE = INSTALLED ? path.join(PROJECT_ROOT, 'node_modules', '.cache', 'gradscope', 'native') : path.join(ROOT, 'out', 'native');
/** CACHE as messages show it. */
const CACHE_SHOWN = path.relative(process.cwd(), CACHE) || '.';
const LOG = path.join(CACHE, 'native.log');
const PKG = path.join(PROJECT_ROOT, 'node_modules', '@tensorflow', 'tfjs-node');
/** The TensorFlow version whose wheel was tested with tfjs-node 4.22.0 (README, "Native backend"). */
const TESTED_TF = '2.21.0';
/** The name tfjs-node 4.22's install.js checks for before it downloads anything. */
const INSTALL_JS_TF = '2.9.1';

/** A failure this script explains; exit code 3 means "no TensorFlow wheel to be had here" (CI skips). */
class NativeError extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}
const NO_WHEEL = 3;

// --- arguments -------------------------------------------------------------------------------
let argv: string[] = [];
function option(name: string, env?: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new NativeError(`--${name} needs a value`);
    return v;
  }
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  if (eq) return eq.slice(name.length + 3);
  return env ? process.env[env] || undefined : undefined;
}
const KNOWN = ['wheel', 'libtensorflow', 'tf-version', 'force', 'check', 'help'];
function checkArguments(): void {
  for (const a of argv) {
    if (a.startsWith('--') && !KNOWN.includes(a.slice(2).split('=')[0])) throw new NativeError(`unknown option ${a} (expected one of ${KNOWN.map((k) => `--${k}`).join(', ')}; ${CMDX} --help)`);
  }
}
const flag = (name: string): boolean => argv.includes(`--${name}`);

// --- output ----------------------------------------------------------------------------------
let t0 = Date.now();
let stepNo = 0;
function step(what: string): void {
  stepNo++;
  console.log(`[native ${stepNo}] ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
function log(text: string): void {
  fs.mkdirSync(CACHE, { recursive: true });
  fs.appendFileSync(LOG, text.endsWith('\n') ? text : `${text}\n`);
}
/** Runs a command, its output to ${path.join(CACHE_SHOWN, 'native.log')}; throws with the log's tail when it fails. */
function run(cmd: string, args: string[], what: string, opts: SpawnSyncOptions = {}): string {
  log(`\n$ ${cmd} ${args.join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  log(out);
  if (r.error || r.status !== 0) {
    const tail = out.trim().split('\n').slice(-12).join('\n');
    throw new NativeError(`${what} failed (${r.error ? r.error.message : `exit ${r.status}`}). Last lines (all of it in ${path.join(CACHE_SHOWN, 'native.log')}):\n${tail}`);
  }
  return out;
}
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
const firstLine = (s: string): string => s.trim().split('\n')[0];

// --- what is installed ---------------------------------------------------------------------------
function tfjsNodeVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const v = pkg.optionalDependencies?.['@tensorflow/tfjs-node'] ?? pkg.dependencies?.['@tensorflow/tfjs-node'];
  if (!v || !/^\d+\.\d+\.\d+$/.test(v)) throw new NativeError(`package.json must pin @tensorflow/tfjs-node to an exact version (found ${JSON.stringify(v)})`);
  return v;
}
const NAPI = ((): number => {
  // tfjs-node's binding is built for the highest N-API version both it and this Node support.
  const pkgNapi = [3, 4, 5, 6, 7, 8];
  const node = Number(process.versions.napi);
  return Math.max(...pkgNapi.filter((v) => v <= node));
})();
const bindingRel = path.join('lib', `napi-v${NAPI}`, 'tfjs_binding.node');

interface Probe { ok: boolean; tensorflow?: string; backend?: string; error?: string }
/** Loads tfjs-node in a fresh Node (as gradscope would) and runs one op on it. */
function probe(): Probe {
  const code = `
    process.env.TF_CPP_MIN_LOG_LEVEL = '2';
    const tf = require('@tensorflow/tfjs-node');
    const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [1]])).dataSync();
    if (y[0] !== 3 || y[1] !== 7) throw new Error('matMul gave ' + Array.from(y));
    console.log(JSON.stringify({ backend: tf.getBackend(), tensorflow: tf.backend().binding.TF_Version }));`;
  const r = spawnSync(process.execPath, ['-e', code], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    const text = `${r.stderr}\n${r.stdout}`;
    const line = text.split('\n').find((l) => /^\w*Error\b/.test(l)) ?? (firstLine(text) || `exit ${r.status}`);
    return { ok: false, error: line };
  }
  const j = JSON.parse(r.stdout.trim().split('\n').pop() as string);
  return { ok: j.backend === 'tensorflow', ...j };
}

interface Build { tfjsNode: string; tensorflow: string; napi: number; platform: string; source: string; stripped: boolean; builtAt: string }
const BUILD_JSON = path.join(CACHE, 'build.json');
function cachedBuild(): Build | undefined {
  try {
    const b = JSON.parse(fs.readFileSync(BUILD_JSON, 'utf8')) as Build;
    const complete = fs.existsSync(path.join(CACHE, bindingRel)) && fs.existsSync(path.join(CACHE, 'deps', 'lib', 'libtensorflow.so'));
    return complete ? b : undefined;
  } catch {
    return undefined;
  }
}
const platform = `${process.platform}-${process.arch}`;

// --- steps -------------------------------------------------------------------------------------
function checkTools(): string {
  const missing: string[] = [];
  for (const [cmd, pkg] of [['g++', 'g++'], ['make', 'make'], ['python3', 'python3']] as const) if (!has(cmd)) missing.push(`${cmd} (Debian/Ubuntu: apt-get install ${pkg})`);
  const nodedir = nodeHeaders();
  if (!nodedir) {
    missing.push(
      `Node's C headers for ${process.version} (include/node/node_api.h and common.gypi): Debian/Ubuntu: apt-get install libnode-dev ` +
        `(when node is Debian's own), or run \`npx node-gyp install\` where nodejs.org is reachable, or point at them: npm_config_nodedir=DIR ${CMD}`,
    );
  }
  if (missing.length) throw new NativeError(`cannot build the tfjs-node binding, missing:\n  - ${missing.join('\n  - ')}`);
  const gxx = firstLine(spawnSync('g++', ['--version'], { encoding: 'utf8' }).stdout);
  const py = firstLine(spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout);
  return `${gxx}; ${py}; Node headers in ${nodedir}`;
}

/** A folder that has include/node/node_api.h and common.gypi for this Node, or undefined. */
function nodeHeaders(): string | undefined {
  const ok = (dir: string): boolean => fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h')) && fs.existsSync(path.join(dir, 'include', 'node', 'common.gypi'));
  const candidates = [
    process.env.npm_config_nodedir,
    path.resolve(process.execPath, '..', '..'),
    '/usr',
    path.join(os.homedir(), '.cache', 'node-gyp', process.versions.node),
  ].filter((d): d is string => Boolean(d));
  return candidates.find(ok);
}

/** The libraries and headers: from the given libtensorflow, the given wheel, or pip. */
function obtainTensorFlow(version: string): { kind: 'wheel' | 'libtensorflow'; file: string; version: string; cleanup?: string } {
  const lib = option('libtensorflow', 'GRADSCOPE_LIBTENSORFLOW');
  if (lib) {
    if (!fs.existsSync(lib)) throw new NativeError(`--libtensorflow ${lib}: no such file or folder`);
    return { kind: 'libtensorflow', file: path.resolve(lib), version: versionIn(path.basename(lib)) ?? 'unknown' };
  }
  const wheel = option('wheel', 'GRADSCOPE_TF_WHEEL');
  if (wheel) {
    if (!fs.existsSync(wheel)) throw new NativeError(`--wheel ${wheel}: no such file`);
    return { kind: 'wheel', file: path.resolve(wheel), version: versionIn(path.basename(wheel)) ?? 'unknown' };
  }
  const dest = fs.mkdtempSync(path.join(CACHE, 'wheel-'));
  const spec = `tensorflow-cpu==${version}`;
  const pip = spawnSync('python3', ['-m', 'pip', '--version'], { encoding: 'utf8' });
  if (pip.status !== 0) {
    fs.rmSync(dest, { recursive: true, force: true });
    throw new NativeError(`python3 has no pip to download ${spec} (Debian/Ubuntu: apt-get install python3-pip), or give a wheel: ${CMDX} --wheel tensorflow_cpu-${version}-...whl`, NO_WHEEL);
  }
  try {
    run('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--dest', dest, spec], `pip download ${spec}`, { env: { ...process.env, PIP_DEFAULT_TIMEOUT: process.env.PIP_DEFAULT_TIMEOUT ?? '30', PIP_RETRIES: process.env.PIP_RETRIES ?? '1' } });
  } catch (e) {
    fs.rmSync(dest, { recursive: true, force: true });
    throw new NativeError(
      `${(e as Error).message}\npip could not get ${spec} from its configured index. Give a wheel (${CMDX} --wheel FILE.whl, from \`pip download --no-deps ${spec}\` elsewhere) ` +
        `or a libtensorflow (${CMDX} --libtensorflow DIR_OR_TAR_GZ), or another version (--tf-version X.Y.Z; tested: ${TESTED_TF}).`,
      NO_WHEEL,
    );
  }
  const file = fs.readdirSync(dest).find((f) => f.endsWith('.whl'));
  if (!file) throw new NativeError(`pip download ${spec} left no .whl in ${dest}`);
  return { kind: 'wheel', file: path.join(dest, file), version, cleanup: dest };
}
const versionIn = (name: string): string | undefined => /(\d+\.\d+\.\d+)/.exec(name)?.[1];

/**
 * Writes deps/ in the cache: lib/ with the two libraries (stripped of their local symbol tables when
 * `strip` exists: 788 -> 583 MB for 2.21's libtensorflow_cc) and the link names, include/ with the C
 * API headers the binding includes and what they include in turn.
 */
function stageDeps(src: { kind: 'wheel' | 'libtensorflow'; file: string }): boolean {
  const deps = path.join(CACHE, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  const lib = path.join(deps, 'lib');
  fs.mkdirSync(lib, { recursive: true });
  // The headers tfjs-node 4.22's binding includes (binding/*.cc, *.h); their own includes are followed.
  const roots = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h', 'tensorflow/c/tf_datatype.h', 'tensorflow/c/tf_status.h', 'tensorflow/c/tf_tensor.h', 'tensorflow/core/platform/ctstring_internal.h'];
  let cc: string;
  let fw: string;
  if (src.kind === 'wheel') {
    // A wheel is a zip: python3's zipfile takes out the two libraries and the header closure.
    const py = `
import re, sys, zipfile, os
whl, deps = sys.argv[1], sys.argv[2]
roots = sys.argv[3:]
z = zipfile.ZipFile(whl)
names = set(z.namelist())
libs = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2']
for n in libs:
    if n not in names: sys.exit('the wheel has no ' + n + ' (is it a tensorflow / tensorflow-cpu wheel for Linux?)')
    with z.open(n) as f, open(os.path.join(deps, 'lib', os.path.basename(n)), 'wb') as o:
        while True:
            b = f.read(1 << 22)
            if not b: break
            o.write(b)
inc = 'tensorflow/include/'
seen, todo = set(), list(roots)
while todo:
    h = todo.pop()
    if h in seen: continue
    seen.add(h)
    if inc + h not in names:
        if h.startswith(('tensorflow/', 'tsl/', 'xla/')): sys.exit('the wheel has no header ' + inc + h)
        continue  # a system header
    text = z.read(inc + h).decode('utf-8', 'replace')
    out = os.path.join(deps, 'include', h)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    open(out, 'w').write(text)
    todo += re.findall(r'^\\s*#\\s*include\\s+"([^"]+)"', text, re.M)
print(len([h for h in seen if inc + h in names]), 'headers')
`;
    const out = run('python3', ['-c', py, src.file, deps, ...roots], 'taking the libraries and headers out of the wheel');
    log(out);
    cc = 'libtensorflow_cc.so.2';
    fw = 'libtensorflow_framework.so.2';
  } else {
    // libtensorflow's own layout: lib/libtensorflow.so.2.X.Y (+ links), lib/libtensorflow_framework..., include/.
    let dir = src.file;
    if (fs.statSync(dir).isFile()) {
      dir = fs.mkdtempSync(path.join(CACHE, 'libtensorflow-'));
      run('tar', ['-xzf', src.file, '-C', dir], `unpacking ${src.file}`);
    }
    const srcLib = path.join(dir, 'lib');
    if (!fs.existsSync(srcLib)) throw new NativeError(`${src.file}: no lib/ folder (expected libtensorflow's layout: lib/ and include/)`);
    // Every lib/ entry as it is (links stay links: they carry the SONAMEs the binding will record).
    for (const e of fs.readdirSync(srcLib, { withFileTypes: true })) {
      if (!e.name.startsWith('libtensorflow')) continue;
      const a = path.join(srcLib, e.name);
      if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(a), path.join(lib, e.name));
      else if (e.isFile()) fs.copyFileSync(a, path.join(lib, e.name));
    }
    /** The real file behind libNAME.so (its link chain), else the longest-named libNAME.so.* file. */
    const real = (prefix: string): string => {
      const link = path.join(lib, `${prefix}.so`);
      if (fs.existsSync(link)) return path.basename(fs.realpathSync(link));
      const files = fs.readdirSync(lib).filter((n) => n.startsWith(`${prefix}.so`) && fs.lstatSync(path.join(lib, n)).isFile());
      if (!files.length) throw new NativeError(`${src.file}: no lib/${prefix}.so* (expected libtensorflow's layout: lib/ and include/)`);
      return files.sort((a, b) => b.length - a.length)[0];
    };
    cc = real('libtensorflow');
    fw = real('libtensorflow_framework');
    if (!fs.existsSync(path.join(dir, 'include', 'tensorflow', 'c', 'c_api.h'))) throw new NativeError(`${src.file}: no include/tensorflow/c/c_api.h`);
    fs.cpSync(path.join(dir, 'include'), path.join(deps, 'include'), { recursive: true });
    if (dir !== src.file) fs.rmSync(dir, { recursive: true, force: true });
  }
  let stripped = false;
  if (has('strip')) {
    for (const n of [cc, fw]) run('strip', ['--strip-unneeded', path.join(lib, n)], `strip ${n}`);
    stripped = true;
  }
  // -ltensorflow / -ltensorflow_framework (binding.gyp), and install.js's "already there" names.
  const links: [string, string][] = [
    ['libtensorflow.so', cc], ['libtensorflow_framework.so', fw],
    [`libtensorflow.so.${INSTALL_JS_TF}`, cc], [`libtensorflow_framework.so.${INSTALL_JS_TF}`, fw],
  ];
  for (const [name, target] of links) if (name !== target && !fs.existsSync(path.join(lib, name))) fs.symlinkSync(target, path.join(lib, name));
  return stripped;
}

/** tfjs-node's package files and its runtime dependencies, from npm (its install script not run). */
function installPackageFiles(version: string): void {
  const pkgJson = path.join(PKG, 'package.json');
  if (fs.existsSync(pkgJson) && JSON.parse(fs.readFileSync(pkgJson, 'utf8')).version === version && fs.existsSync(path.join(PROJECT_ROOT, 'node_modules', '@mapbox', 'node-pre-gyp'))) return;
  const npm = process.env.npm_execpath;
  const [cmd, pre] = npm && npm.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
  run(cmd, [...pre, 'install', '--no-save', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', `@tensorflow/tfjs-node@${version}`], `npm install --no-save --ignore-scripts @tensorflow/tfjs-node@${version}`, { cwd: PROJECT_ROOT });
}

/** Hard-links (or, across file systems, copies) a cached tree into the package; symlinks stay symlinks. */
function linkTree(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(a), b);
    else if (e.isDirectory()) linkTree(a, b);
    else {
      try {
        fs.linkSync(a, b);
      } catch {
        fs.copyFileSync(a, b);
      }
    }
  }
}

/** npm's own node-gyp (npm bundles it), as npm would use for an install script. */
function nodeGypPath(): string {
  const candidates = [process.env.npm_config_node_gyp];
  const npm = process.env.npm_execpath;
  if (npm) candidates.push(path.join(path.dirname(npm), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8' }).stdout?.trim();
  if (prefix) candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((c): c is string => Boolean(c) && fs.existsSync(c as string));
  if (!found) throw new NativeError(`node-gyp not found (npm bundles it; looked in ${candidates.filter(Boolean).join(', ')}). Run this as \`${CMD}\`, or set npm_config_node_gyp to node-gyp's bin/node-gyp.js`);
  return found;
}

/**
 * Compiles tfjs-node's binding against deps/, offline: node-gyp with the variables node-pre-gyp
 * would pass for this Node's N-API version only (node-pre-gyp's own rebuild compiles all six).
 */
function compile(nodedir: string): void {
  const modulePath = path.join(PKG, path.dirname(bindingRel));
  const args = [nodeGypPath(), 'rebuild', `--nodedir=${nodedir}`, `--jobs=${Math.max(1, os.availableParallelism?.() ?? os.cpus().length)}`,
    '--module_name=tfjs_binding', `--module_path=${modulePath}`, `--napi_build_version=${NAPI}`, `--node_napi_label=napi-v${NAPI}`];
  run(process.execPath, args, 'compiling the tfjs-node binding (node-gyp rebuild)', { cwd: PKG, env: { ...process.env, npm_config_nodedir: nodedir } });
  if (!fs.existsSync(path.join(PKG, bindingRel))) throw new NativeError(`the build left no ${bindingRel} in @tensorflow/tfjs-node`);
  fs.rmSync(path.join(PKG, 'build'), { recursive: true, force: true }); // objects: the .node is in lib/
}

function selfLink(): void {
  if (INSTALLED) return; // a checkout's node_modules/gradscope -> .., which npm install removes
  run(process.execPath, [path.join(ROOT, 'scripts', 'link-self.cjs')], 'restoring the node_modules/gradscope self-link');
}

function done(p: Probe, how: string): void {
  console.log(`[native] ok: ${how}; @tensorflow/tfjs-node ${tfjsNodeVersion()} runs TensorFlow ${p.tensorflow} (backend ${p.backend}) in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  console.log(`[native] gradscope now uses it by default (gs.backendInfo().active === 'tensorflow'); GRADSCOPE_BACKEND=wasm or cpu picks another.`);
}

function main(): void {
  checkArguments();
  if (flag('help')) {
    console.log(HELP.replace(/npm run native --/g, CMDX).replace(/npm run native/g, CMD));
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new NativeError(`${CMD} builds from TensorFlow's Linux x86-64 wheel; this is ${platform}. Elsewhere install @tensorflow/tfjs-node the usual way, or use the wasm backend (the default without it).`);
  }
  const version = tfjsNodeVersion();
  const explicit = option('wheel', 'GRADSCOPE_TF_WHEEL') ?? option('libtensorflow', 'GRADSCOPE_LIBTENSORFLOW');
  for (const [name, env] of [['wheel', 'GRADSCOPE_TF_WHEEL'], ['libtensorflow', 'GRADSCOPE_LIBTENSORFLOW']]) {
    const given = option(name, env);
    if (given && !fs.existsSync(given)) throw new NativeError(`--${name} ${given}: no such ${name === 'wheel' ? 'file' : 'file or folder'}`);
  }
  const tfVersion = option('tf-version', 'GRADSCOPE_TF_VERSION') ?? TESTED_TF;
  if (!/^\d+\.\d+\.\d+$/.test(tfVersion)) throw new NativeError(`--tf-version ${tfVersion}: expected X.Y.Z`);
  fs.mkdirSync(CACHE, { recursive: true });
  if (!flag('check')) fs.writeFileSync(LOG, `${CMD} ${argv.join(' ')}  (${new Date().toISOString()})\n`); // --check keeps the last build's log

  step('checking whether @tensorflow/tfjs-node already loads');
  const before = probe();
  if (flag('check')) {
    if (before.ok) done(before, 'already installed');
    else throw new NativeError(`@tensorflow/tfjs-node does not load: ${before.error}. Run: ${CMD}`);
    return;
  }
  const cached = cachedBuild();
  const fits = cached && cached.tfjsNode === version && cached.napi === NAPI && cached.platform === platform;
  // a wheel or libtensorflow given again, the one the cached build came from, is nothing new
  const newSource = explicit !== undefined && !(fits && cached.source === path.resolve(explicit));
  const otherVersion = option('tf-version', 'GRADSCOPE_TF_VERSION') !== undefined && (before.ok ? before.tensorflow : cached?.tensorflow) !== tfVersion;
  if (before.ok && !flag('force') && !newSource && !otherVersion) {
    selfLink();
    done(before, 'already installed, nothing to do');
    return;
  }
  if (fits && !flag('force') && !newSource && !otherVersion) {
    step(`restoring the cached build (TensorFlow ${cached.tensorflow}, from ${cached.source}, built ${cached.builtAt}): npm package files`);
    installPackageFiles(version);
    step(`hard-linking ${path.join(CACHE_SHOWN, 'deps')} and the binding into node_modules/@tensorflow/tfjs-node`);
    linkTree(path.join(CACHE, 'deps'), path.join(PKG, 'deps'));
    linkTree(path.join(CACHE, 'lib'), path.join(PKG, 'lib'));
    selfLink();
    step('loading it');
    const p = probe();
    if (!p.ok) throw new NativeError(`the restored build does not load: ${p.error}. Rebuild it: ${CMDX} --force`);
    done(p, `restored from ${CACHE_SHOWN}`);
    return;
  }

  step(`checking the build tools (tfjs-node ${version}'s binding is compiled here)`);
  console.log(`    ${checkTools()}`);
  const nodedir = nodeHeaders() as string;
  step(explicit ? `using ${explicit}` : `downloading tensorflow-cpu==${tfVersion} with pip (about 260 MB; from pip's configured index)`);
  const src = obtainTensorFlow(tfVersion);
  step(`taking libtensorflow and its C headers out of ${path.basename(src.file)} into ${path.join(CACHE_SHOWN, 'deps')}`);
  const stripped = stageDeps(src);
  if (src.cleanup) fs.rmSync(src.cleanup, { recursive: true, force: true });
  step(`installing @tensorflow/tfjs-node ${version}'s package files (npm, its install script not run)`);
  installPackageFiles(version);
  linkTree(path.join(CACHE, 'deps'), path.join(PKG, 'deps'));
  step('compiling the binding against those libraries (half a minute on 2 idle cores, longer when they are busy)');
  compile(nodedir);
  fs.rmSync(path.join(CACHE, 'lib'), { recursive: true, force: true });
  fs.mkdirSync(path.dirname(path.join(CACHE, bindingRel)), { recursive: true });
  fs.copyFileSync(path.join(PKG, bindingRel), path.join(CACHE, bindingRel));
  selfLink();
  step('loading it');
  const p = probe();
  if (!p.ok) throw new NativeError(`the new build does not load: ${p.error} (build log: ${path.join(CACHE_SHOWN, 'native.log')})`);
  const build: Build = { tfjsNode: version, tensorflow: p.tensorflow ?? src.version, napi: NAPI, platform, source: src.cleanup ? `pip: tensorflow-cpu==${tfVersion}` : src.file, stripped, builtAt: new Date().toISOString() };
  fs.writeFileSync(BUILD_JSON, `${JSON.stringify(build, null, 2)}\n`);
  if (p.tensorflow !== TESTED_TF) console.log(`[native] note: tested with TensorFlow ${TESTED_TF}; this is ${p.tensorflow}.`);
  done(p, `built and cached in ${CACHE_SHOWN} (${stripped ? 'libraries stripped' : 'no strip on PATH: libraries as shipped'})`);
}

/**
 * `gradscope native [options]` (`npm run native` in a checkout): builds or restores tfjs-node for the
 * project gradscope is installed in. Returns the exit code: 0 done, 1 failed, 3 no wheel to be had.
 */
export function native(args: string[]): number {
  argv = args.filter((a) => a !== '--');
  t0 = Date.now();
  stepNo = 0;
  try {
    main();
    return 0;
  } catch (e) {
    if (!(e instanceof NativeError)) throw e;
    console.error(`[native] error: ${e.message}`);
    return e.code;
  }
}
