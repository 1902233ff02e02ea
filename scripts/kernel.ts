/**
 * `npm run kernel`: registers THIS checkout's tslab as the Jupyter kernel `gradscope`
 * ("TypeScript (gradscope)"), so notebooks run on the same tslab instance that gradscope's display
 * code talks to (a tslab loaded from anywhere else is "Not ready" and cannot show charts).
 *
 * kernel.json is written at run time with this machine's absolute paths (node and
 * scripts/tslab-kernel.cjs, which starts this checkout's node_modules/tslab with gradscope
 * resolvable from any folder and its Jupyter protocol fixes: see that file) and installed with
 * jupyter_client's KernelSpecManager into the per-user kernels folder. Nothing machine-specific is
 * committed.
 *
 *   npm run kernel                  # register
 *   GRADSCOPE_PYTHON=... npm run kernel   # use that python's Jupyter
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import './link-self.cjs'; // node_modules/gradscope -> this checkout, which the notebooks import
import { findPython } from './python';

export const KERNEL_NAME = 'gradscope';
export const KERNEL_DISPLAY = 'TypeScript (gradscope)';

/** This checkout's kernel launcher: what kernel.json's argv[1] must be for notebooks to run this code. */
export const LAUNCHER = path.resolve(__dirname, 'tslab-kernel.cjs');

/** Registers this checkout's kernel (exits with a message on failure). */
export function registerKernel(): void {
  const root = path.resolve(__dirname, '..');
  const tslab = path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');
  if (!fs.existsSync(tslab)) {
    console.error(`npm run kernel: ${path.relative(process.cwd(), tslab)} is missing; run \`npm ci\` (or npm install) first.`);
    process.exit(1);
  }
  const py = findPython(['jupyter_client'], 'npm run kernel');
  console.log(`python: ${py.executable} (jupyter_client ${py.versions.jupyter_client})`);

  const spec = {
    argv: [process.execPath, path.join(root, 'scripts', 'tslab-kernel.cjs'), 'kernel', '--config-path', '{connection_file}'],
    display_name: KERNEL_DISPLAY,
    language: 'typescript',
    metadata: { gradscope: { root } },
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradscope-kernel-'));
  const specDir = path.join(dir, KERNEL_NAME);
  fs.mkdirSync(specDir);
  fs.writeFileSync(path.join(specDir, 'kernel.json'), JSON.stringify(spec, null, 2) + '\n');

  const code = [
    'import sys',
    'from jupyter_client.kernelspec import KernelSpecManager',
    'ksm = KernelSpecManager()',
    `dest = ksm.install_kernel_spec(sys.argv[1], ${JSON.stringify(KERNEL_NAME)}, user=True, replace=True)`,
    `spec = ksm.get_kernel_spec(${JSON.stringify(KERNEL_NAME)})`,
    'print(dest)',
    'print(" ".join(spec.argv))',
  ].join('\n');
  const r = spawnSync(py.executable, ['-c', code, specDir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) {
    console.error(`npm run kernel: installing the kernel spec failed:\n${r.stderr || r.stdout}`);
    process.exit(1);
  }
  const [dest, argv] = r.stdout.trim().split('\n');
  console.log(`registered kernel "${KERNEL_NAME}" (${KERNEL_DISPLAY}) in ${dest}`);
  console.log(`  runs: ${argv}`);
  console.log(`Open notebooks/*.ipynb, or a notebook in any folder, in JupyterLab or VS Code and pick "${KERNEL_DISPLAY}";`);
  console.log(`command-line tools take the name: jupyter nbconvert --execute --ExecutePreprocessor.kernel_name=${KERNEL_NAME} x.ipynb`);
}

if (require.main === module) registerKernel();
