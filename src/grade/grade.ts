/** gs.grade: every homework grader in one object (each family's folder holds its own). */
import { gradeBackward } from '../mlp/homework';
import { gradeInit } from '../mlp/gradeInit';
import { gradeLstmStep } from '../lstm/homework';

/**
 * The homework graders: `gs.grade.backward(fn)`, `gs.grade.init(fn)` and `gs.grade.lstmStep(fn)` (= gs.gradeLstmStep, the LSTM step backward). Each returns a
 * result that prints as feedback and never throws for a wrong or unfinished answer; its `assert()`
 * does, so that a notebook's last cell fails like a test (see {@link Assertable.assert}).
 *
 * `gs.grade.backward(fn)` runs a student's `backward(net, cache, Y)` on three fixed networks
 * (`BACKWARD_CASES`) and says which block is wrong first (going back from the output), by how
 * much, and what the mistake looks like. `gs.grade.init(fn)` checks a student's
 * `(nIn, nOut, hidden) => W` against He and Xavier variances. An unfinished TODO gets "not yet
 * implemented", never an exception; a backward that throws, is `async` or disposes the cache gets a
 * line saying so. The grader passes only on `great`/`ok` blocks, never on `inconclusive`. For
 * courses that teach L2, dropout and residual skips, `{ cases: gs.EXTENDED_CASES }` adds three nets
 * where the usual mistakes show. The Adam homework is graded by `gs.optimizers.compare('adam', adamStep)`.
 *
 * @example
 * ```ts
 * const result = gs.grade.backward(backward);
 * result             // the feedback
 * result.assert();   // the last cell: GradscopeError: backward: not yet implemented: ... while the TODO is open
 *
 * // a backward that forgot the 1/m in dW2:
 * console.log(String(gs.grade.backward((net, cache, Y) => myBackward(net, cache, Y))));
 * // ✘ backward: 3 of 3 networks failed
 * //   ✘ net A [3, 4, 1] tanh -> sigmoid (binary cross-entropy), m = 5
 * //       block   relative error   verdict   yours / correct
 * //       dW2              0.667   wrong         5.00   <- first wrong block going back from the output
 * //       db2             1.5e-8   great         1.00
 * //       dW1             5.6e-8   great         1.00
 * //       db1             3.2e-8   great         1.00
 * //       hint: dW2 is 5 x the correct gradient: a missing 1/m (dW = a_prev^T delta / m)
 * //   ✘ net B [4, 5, 5, 3] relu -> softmax (cross-entropy), m = 6   ... dW2 6.00 x: a missing 1/m
 * //   ✘ net C [2, 3, 2] sigmoid -> linear (MSE), m = 4               ... dW2 4.00 x: a missing 1/m
 * ```
 */
export const grade = {
  /** Grades a backward pass `(net, cache, Y) => { dW1, db1, ... }` on `BACKWARD_CASES` (or `{ cases }`). */
  backward: gradeBackward,
  /** Grades a weight initialisation `(nIn, nOut, hidden) => W` on `INIT_CASES` (or `{ cases }`). */
  init: gradeInit,
  /** Grades an LSTM step backward: the same function as {@link gradeLstmStep}. */
  lstmStep: gradeLstmStep,
};

