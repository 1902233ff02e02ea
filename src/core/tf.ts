/**
 * The type of gradscope's `tf`, under a name of gradscope's own.
 *
 * `gs.tf` is the TensorFlow.js module. Typed as `typeof import('@tensorflow/tfjs')`, a notebook's
 * `const tf = gs.tf;` fails to compile wherever @tensorflow/tfjs is not resolvable from the
 * notebook's folder ("The inferred type of 'tf' cannot be named without a reference to
 * 'gradscope/node_modules/@tensorflow/tfjs'"): tslab emits a declaration for every cell and has no
 * portable name for that type. An interface exported by gradscope names it: `import("gradscope").Tf`.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type TfModule = typeof tfTypes;

/**
 * The TensorFlow.js module (`typeof import('@tensorflow/tfjs')`) as gradscope exports it in `gs.tf`.
 *
 * @example
 * ```ts
 * const tf: gs.Tf = gs.tf;     // the same as `const tf = gs.tf;`
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Tf extends TfModule {}
