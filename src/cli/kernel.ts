/**
 * `gradscope kernel`: registers the Jupyter kernel `gradscope` ("TypeScript (gradscope)"), which
 * runs the installed tslab 1.0.22 through scripts/tslab-kernel.cjs (gradscope from any folder,
 * Jupyter protocol fixes: see that file).
 *
 * kernel.json holds this machine's absolute paths (node and the launcher in this install), written
 * at registration, never committed. With a Python that has jupyter_client, jupyter_client installs
 * it (so the folder is the one Jupyter reads); without one (a VS Code user may have no Python
 * Jupyter) it is written into Jupyter's standard per-user kernels folder, as `deno jupyter` does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CliError, parse } from './args';
import { INSTALLED, IN_NPX_CACHE, LAUNCHER, PACKAGE_ROOT } from './paths';
import { lookForPython } from './python';

export const KERNEL_NAME = 'gradscope';
export const KERNEL_DISPLAY = 'TypeScript (gradscope)';
/** The tslab version the launcher patches (package.json pins it). */
const TSLAB_VERSION = '1.0.22';

export { LAUNCHER };

export const KERNEL_HELP = `gradscope kernel [options]: register the Jupyter kernel that runs gradscope notebooks

  --name NAME            the kernel's name (default ${KERNEL_NAME}; nbconvert --ExecutePreprocessor.kernel_name=NAME)
  --display-name TEXT    the name front ends show (default "${KERNEL_DISPLAY}")
  --user                 install for this user (the default)
  --sys-prefix           install into the Python environment of the Jupyter found (a venv or conda env)
  --prefix DIR           install into DIR/share/jupyter/kernels (a Jupyter started with that prefix sees it)

Run it from the project where gradscope is installed (npm install gradscope; npx gradscope kernel):
the kernel runs that install. Needs no Python; with a Python Jupyter (jupyter_client) that one installs it.`;

/**
 * Jupyter's per-user data folder, as jupyter_core computes it without configuration:
 * $JUPYTER_DATA_DIR, else ~/Library/Jupyter (macOS), %APPDATA%\jupyter (Windows),
 * $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter (elsewhere).
 */
export function jupyterDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === 'darwin') return path.join(home, 'Library', 'Jupyter');
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'jupyter');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'jupyter');
}

/** The kernel.json of this install. */
export function kernelSpec(displayName: string): object {
  return {
    argv: [process.execPath, LAUNCHER, 'kernel', '--config-path', '{connection_file}'],
    display_name: displayName,
    language: 'typescript',
    metadata: { gradscope: { root: PACKAGE_ROOT } },
  };
}

/** Where gradscope kernel put the spec, and how. */
export interface Registered { name: string; dir: string; via: string; argv: string; /** A Python Jupyter (jupyter_client) was found. */ jupyter: boolean }

/** Registers the kernel (see KERNEL_HELP); throws CliError with what to do when it cannot. */
export function registerKernel(args: string[] = []): Registered {
  const { options, rest } = parse('kernel', args, { name: 'value', 'display-name': 'value', user: 'flag', 'sys-prefix': 'flag', prefix: 'value' });
  if (rest.length) throw new CliError(`gradscope kernel: unexpected argument ${rest[0]} (gradscope kernel --help)`);
  const name = (options.name as string | undefined) ?? KERNEL_NAME;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new CliError(`gradscope kernel: --name ${JSON.stringify(name)}: expected letters, digits, '.', '_' or '-' (Jupyter's kernel names)`);
  const display = (options['display-name'] as string | undefined) ?? KERNEL_DISPLAY;
  const where = ['user', 'sys-prefix', 'prefix'].filter((k) => options[k] !== undefined);
  if (where.length > 1) throw new CliError(`gradscope kernel: give one of --user, --sys-prefix, --prefix (got ${where.map((w) => `--${w}`).join(' and ')})`);
  if (IN_NPX_CACHE) {
    throw new CliError(
      `gradscope kernel: this gradscope runs from npx's temporary cache (${PACKAGE_ROOT}), which npm purges: a kernel registered from it would stop working.\n` +
        `Install it first, in the folder of your notebooks: npm install gradscope, then: npx gradscope kernel`, 1);
  }
  checkTslab();

  const spec = JSON.stringify(kernelSpec(display), null, 2) + '\n';
  const prefix = options.prefix as string | undefined;
  const py = lookForPython(['jupyter_client']);
  if (py && !prefix) {
    const staged = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-kernel-'));
    const specDir = path.join(staged, name);
    fs.mkdirSync(specDir);
    fs.writeFileSync(path.join(specDir, 'kernel.json'), spec);
    const code = [
      'import sys',
      'from jupyter_client.kernelspec import KernelSpecManager',
      'ksm = KernelSpecManager()',
      'name = sys.argv[2]',
      `dest = ksm.install_kernel_spec(sys.argv[1], name, ${options['sys-prefix'] ? 'prefix=sys.prefix' : 'user=True'}, replace=True)`,
      'print(dest)',
      'print(" ".join(ksm.get_kernel_spec(name).argv))',
    ].join('\n');
    const r = spawnSync(py.executable, ['-c', code, specDir, name], { encoding: 'utf8' });
    fs.rmSync(staged, { recursive: true, force: true });
    if (r.status !== 0) throw new CliError(`gradscope kernel: jupyter_client could not install the kernel spec:\n${(r.stderr || r.stdout).trim()}`, 1);
    const [dir, argv] = r.stdout.trim().split('\n');
    return { name, dir, via: `jupyter_client ${py.versions.jupyter_client} (${py.executable})`, argv, jupyter: true };
  }
  if (options['sys-prefix']) {
    throw new CliError('gradscope kernel: --sys-prefix installs into the Python environment of a Jupyter, and no Python with jupyter_client was found (GRADSCOPE_PYTHON=/path/to/python picks one); use --user or --prefix DIR', 1);
  }
  const dir = path.join(prefix ? path.join(path.resolve(prefix), 'share', 'jupyter') : jupyterDataDir(), 'kernels', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'kernel.json'), spec);
  return { name, dir, via: prefix ? 'written directly' : 'written directly (no Python jupyter_client found)', argv: (JSON.parse(spec).argv as string[]).join(' '), jupyter: py !== undefined };
}

/** The installed tslab must be the version the launcher patches. */
function checkTslab(): void {
  let file: string;
  try {
    file = require.resolve('tslab/package.json', { paths: [PACKAGE_ROOT] });
  } catch {
    throw new CliError(`gradscope kernel: tslab is not installed beside gradscope (${PACKAGE_ROOT}); run npm install${INSTALLED ? '' : ' (or npm ci)'} there first`, 1);
  }
  const v = JSON.parse(fs.readFileSync(file, 'utf8')).version;
  if (v !== TSLAB_VERSION) throw new CliError(`gradscope kernel: found tslab ${v} in ${path.dirname(file)}; the kernel patches tslab ${TSLAB_VERSION} (gradscope's package.json pins it: npm install again)`, 1);
}

/** `gradscope kernel`: registers, then says where and what to do next. */
export function kernelCommand(args: string[]): number {
  const r = registerKernel(args);
  const name = r.name;
  console.log(`registered kernel "${name}" in ${r.dir} (${r.via})`);
  console.log(`  runs: ${r.argv}`);
  console.log(`Open a notebook in JupyterLab, Notebook 7 or VS Code and pick its kernel;`);
  console.log(`command-line tools take the name: jupyter nbconvert --to html --execute --ExecutePreprocessor.kernel_name=${name} x.ipynb`);
  if (!r.jupyter) {
    console.log(`No Python Jupyter was found: to open notebooks you need a front end, e.g. VS Code with its Jupyter extension,\n` +
      `or JupyterLab (python3 -m pip install jupyterlab; Debian/Ubuntu: sudo apt-get install jupyter-nbconvert python3-ipykernel for nbconvert).`);
  }
  return 0;
}
