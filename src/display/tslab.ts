/**
 * The one tslab-specific module: finds the kernel's live tslab and sends a multi-type
 * display_data bundle through it.
 *
 * tslab's public `display.raw(type, data)` sends `{ data: { [type]: data } }`, one MIME type per
 * message. Underneath, it calls `lastWriteDisplayData(content, update)` of its own
 * `tslab/dist/jupyter.js`, which the kernel sets before running each cell and which publishes
 * `content` as a `display_data` message (`update_display_data` when `update` is true) on iopub.
 * gradscope calls the same function with a whole bundle `{ data, metadata, transient }`.
 *
 * Which tslab is live: the kernel's executor puts `globalThis.__tslab__ = { exports, require }` and
 * its `require('tslab')` returns the kernel's own tslab; its `dist/jupyter.js` (already in
 * `require.cache`) holds the writer. A copy of tslab loaded from elsewhere has a null writer
 * ("Not ready"), so a cached jupyter.js is used only when its writer is set.
 */
import * as path from 'path';
import { GradscopeError } from '../core/errors';

/** A Jupyter display message's content. */
export interface DisplayContent {
  /** MIME type -> data (strings, or JSON objects for +json types). */
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** `display_id` makes the output updatable (progress). */
  transient?: { display_id?: string };
}

/** Sends one display message: a new display, or with `update` an update of `transient.display_id`. */
export type Transport = (content: DisplayContent, update: boolean) => void;

type Writer = (content: DisplayContent, update: boolean) => void;
interface JupyterModule { lastWriteDisplayData?: Writer | null }
interface TslabGlobal { require?: (id: string) => unknown }

const JUPYTER_JS = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

function cache(): Record<string, NodeJS.Module | undefined> {
  return typeof require !== 'undefined' && require.cache ? require.cache : {};
}

/** The kernel's executor global, present only while a tslab kernel runs this process. */
function tslabGlobal(): TslabGlobal | undefined {
  const g = (globalThis as { __tslab__?: TslabGlobal }).__tslab__;
  return g && typeof g === 'object' ? g : undefined;
}

/** The filename of the module whose exports are `exp`, searched in require.cache. */
function filenameOf(exp: unknown): string | undefined {
  for (const [file, mod] of Object.entries(cache())) if (mod && mod.exports === exp) return file;
  return undefined;
}

/** tslab/dist/jupyter.js modules in require.cache, the kernel's own first. */
function jupyterModules(): { file: string; mod: JupyterModule }[] {
  const found: { file: string; mod: JupyterModule }[] = [];
  const g = tslabGlobal();
  if (g && typeof g.require === 'function') {
    try {
      const pub = filenameOf(g.require('tslab')); // .../tslab/dist/public.js of the running kernel
      const file = pub && path.join(path.dirname(pub), 'jupyter.js');
      const mod = file ? cache()[file] : undefined;
      if (file && mod) found.push({ file, mod: mod.exports as JupyterModule });
    } catch { /* fall through to the scan */ }
  }
  for (const [file, mod] of Object.entries(cache())) {
    if (mod && JUPYTER_JS.test(file) && !found.some((f) => f.file === file)) found.push({ file, mod: mod.exports as JupyterModule });
  }
  return found;
}

/** True when this process is a tslab kernel (its executor global is set, or a tslab writer is live). */
export function inTslab(): boolean {
  return tslabGlobal() !== undefined || jupyterModules().some((j) => typeof j.mod.lastWriteDisplayData === 'function');
}

/**
 * The live writer of the running tslab kernel, or a GradscopeError that says why there is none.
 * Call only when {@link inTslab} is true.
 */
export function transport(): Transport {
  const mods = jupyterModules();
  const live = mods.find((j) => typeof j.mod.lastWriteDisplayData === 'function');
  if (live) {
    const write = live.mod.lastWriteDisplayData as Writer;
    return (content, update) => write(content, update);
  }
  const seen = mods.length ? ` (found ${mods.map((j) => j.file).join(', ')}, none ready)` : ' (no tslab/dist/jupyter.js is loaded)';
  throw quiet(new GradscopeError('tslab', `gs.show cannot reach the running tslab kernel's display channel${seen}. ` +
    `Start the notebook with the project's kernel (npm run kernel, which registers this project's node_modules/tslab), ` +
    `or call gs.toSVG / gs.save instead.`));
}

/** An error whose stack is its message, so the notebook shows one clear line, not a trace. */
export function quiet<E extends Error>(e: E): E {
  e.stack = `${e.name}: ${e.message}`;
  return e;
}
