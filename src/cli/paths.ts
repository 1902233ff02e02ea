/**
 * Where the `gradscope` command runs from: a checkout (this repository) or an install
 * (node_modules/gradscope in a user's project). Computed from this file's own place
 * (dist/cli/ when built, src/cli/ under tsx); Node gives real paths, so a checkout's
 * node_modules/gradscope self-link is the checkout.
 */
import path from 'node:path';

/** The gradscope package folder: the checkout, or node_modules/gradscope. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** True when gradscope is installed in a project (its folder sits in a node_modules). */
export const INSTALLED = path.basename(path.dirname(PACKAGE_ROOT)) === 'node_modules';

/** The project whose node_modules holds gradscope; the checkout itself when not installed. */
export const PROJECT_ROOT = INSTALLED ? path.dirname(path.dirname(PACKAGE_ROOT)) : PACKAGE_ROOT;

/** True for a folder in npx's cache (`~/.npm/_npx/<hash>/node_modules/gradscope`), which npm purges. */
export const inNpxCache = (dir: string): boolean => dir.split(/[\\/]/).includes('_npx');

/** gradscope runs from npx's cache: nothing may point into it. */
export const IN_NPX_CACHE = inNpxCache(PACKAGE_ROOT);

/** The kernel launcher kernel.json runs (shipped in the package). */
export const LAUNCHER = path.join(PACKAGE_ROOT, 'scripts', 'tslab-kernel.cjs');

/** The notebook runner `gradscope export` drives (nbconvert's ExecutePreprocessor + HTMLExporter). */
export const RUNNER = path.join(PACKAGE_ROOT, 'scripts', 'notebooks.py');
