/**
 * `assert()` for every homework grader's result (`gs.grade.backward`, `gs.grade.init`,
 * `gs.gradeLstmStep`, `gs.optimizers.compare`), in one place. A grader never throws for a wrong or
 * unfinished answer: its result prints as feedback. `result.assert()` turns that verdict into a
 * cell that fails like a test, so `jupyter nbconvert --execute` (without `--allow-errors`),
 * papermill or a CI step fails on a wrong or unfinished homework.
 */
import { GradscopeError } from '../core/errors';
import { quiet } from '../display/tslab';

/** A grader's verdict: every grader result has one. */
export type GradeStatus = 'passed' | 'failed' | 'todo';

/** The first failure of a grade, as {@link Assertable.assert} reports it. */
export interface GradeFailure {
  /** What is wrong, e.g. `dW2 is wrong (relative error 0.667, 5 x the correct gradient)`; for a TODO, what is missing. */
  what: string;
  /** Where: the case it failed first, e.g. `net A [3, 4, 1] tanh -> sigmoid (binary cross-entropy), m = 5`. */
  where?: string;
  /** The grader's hint for it. */
  hint?: string;
  /** How much failed in all, e.g. `3 of 3 networks failed`. */
  more?: string;
}

/** A grader result that can fail a notebook cell: see {@link Assertable.assert}. */
export interface Assertable {
  /**
   * Does nothing (and shows nothing) when the grade passed; otherwise throws a
   * {@link GradscopeError} whose message is one line: the task, the first failure and its hint
   * (`backward: net A ...: dW2 is wrong (...); hint: ...`), or `<task>: not yet implemented: ...`
   * while the TODO is unfinished. The error's stack is its message, so a notebook shows that one
   * line, not a trace. End a homework notebook with it: run headless (`jupyter nbconvert --execute`
   * without `--allow-errors`, papermill, CI), a wrong or unfinished answer fails the run.
   *
   * @example
   * ```ts
   * const result = gs.grade.backward(backward);
   * result          // the feedback table, as always
   * // the notebook's last cell:
   * result.assert();   // passes: nothing; else GradscopeError: backward: net A ...: dW2 is wrong (...); hint: ...
   * ```
   */
  assert(): void;
}

/** The one-line message of a failed or unfinished grade. */
export function failureMessage(task: string, status: Exclude<GradeStatus, 'passed'>, f: GradeFailure): string {
  if (status === 'todo') return `${task}: not yet implemented: ${f.what}`;
  return `${task}: ${f.where ? `${f.where}: ` : ''}${f.what}${f.hint ? `; hint: ${f.hint}` : ''}${f.more ? ` (${f.more})` : ''}`;
}

/**
 * Gives a grader's `result` its (non-enumerable) `assert()` method. `task` names the task in the
 * message ('backward', 'lstm step', 'adam', ...); `argument` is the GradscopeError's `argument`, the
 * student's function ('backward', 'initWeights', 'step'); `failure` describes the first failure and
 * is called only when the grade did not pass.
 */
export function assertable<R extends { status: GradeStatus }>(
  result: R,
  task: string,
  argument: string,
  failure: () => GradeFailure,
): R & Assertable {
  const assert = (): void => {
    if (result.status === 'passed') return;
    throw quiet(new GradscopeError(argument, failureMessage(task, result.status, failure())));
  };
  Object.defineProperty(result, 'assert', { value: assert, enumerable: false, writable: true, configurable: true });
  return result as R & Assertable;
}
