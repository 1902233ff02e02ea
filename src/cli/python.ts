/**
 * Finds a Python that can drive Jupyter (used by `gradscope kernel`, `gradscope export` and the
 * checkout's `npm run notebooks`).
 *
 * Candidates: $GRADSCOPE_PYTHON alone when set; else, in order, the interpreter behind `jupyter` on PATH, python3,
 * python, /usr/bin/python3. The first that imports every required module wins. (A pyenv or conda
 * `python3` first on PATH often has no Jupyter while the system one does, so all are probed.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export interface PythonProbe {
  /** The command as probed, e.g. `python3`. */
  command: string;
  /** sys.executable of that interpreter. */
  executable: string;
  /** Versions of the probed modules. */
  versions: Record<string, string>;
}

const HOW_TO_GET =
  'Install Jupyter, then run this again:\n' +
  '  Debian/Ubuntu: sudo apt-get install jupyter-nbconvert python3-ipykernel\n' +
  '  any OS with pip: python3 -m pip install jupyterlab   (brings jupyter_client and nbconvert)\n' +
  'or point GRADSCOPE_PYTHON at a python that has it: GRADSCOPE_PYTHON=/path/to/python3';

function jupyterShebang(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const file = `${dir}/jupyter`;
    try {
      const head = fs.readFileSync(file, 'utf8').slice(0, 200);
      const m = /^#!\s*(\S+)/.exec(head);
      if (m && !m[1].endsWith('/env') && !m[1].endsWith('sh')) return m[1];
    } catch { /* not here, or a binary shim */ }
  }
  return undefined;
}

/** The interpreters to probe: $GRADSCOPE_PYTHON alone when it is set, else the usual places. */
export function candidates(): string[] {
  if (process.env.GRADSCOPE_PYTHON) return [process.env.GRADSCOPE_PYTHON];
  const list = [jupyterShebang(), 'python3', 'python', '/usr/bin/python3'];
  return [...new Set(list.filter((c): c is string => !!c))];
}

/** Probes one interpreter; returns undefined when it cannot import every module. */
export function probe(command: string, modules: string[]): PythonProbe | undefined {
  const code =
    'import sys, json, importlib\n' +
    'v = {}\n' +
    `for m in ${JSON.stringify(modules)}:\n` +
    '    v[m] = getattr(importlib.import_module(m), "__version__", "?")\n' +
    'print(json.dumps({"executable": sys.executable, "versions": v}))\n';
  const r = spawnSync(command, ['-c', code], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || !r.stdout) return undefined;
  try {
    const { executable, versions } = JSON.parse(r.stdout.trim().split('\n').pop()!);
    return { command, executable, versions };
  } catch {
    return undefined;
  }
}

/** The first candidate that imports `modules`, or undefined. */
export function lookForPython(modules: string[]): PythonProbe | undefined {
  for (const c of candidates()) {
    const p = probe(c, modules);
    if (p) return p;
  }
  return undefined;
}

/** What to say when no Python with `modules` is found. */
export function noPython(modules: string[]): string {
  return `no Python with ${modules.join(' + ')} found (tried ${candidates().join(', ')}).\n${HOW_TO_GET}`;
}

/** The first candidate that imports `modules`, or exits with instructions. */
export function findPython(modules: string[], purpose: string): PythonProbe {
  const p = lookForPython(modules);
  if (p) return p;
  console.error(`${purpose}: ${noPython(modules)}`);
  process.exit(1);
}
