/**
 * Notebooks for `gradscope grade`: reading a submission, finding a template's grader cells and
 * merging the two. The student's code comes only from the submission's TODO cells (metadata
 * `gradscope.todo`, matched by name) and the cells the student added; everything else, grader
 * cells first of all, comes from the template.
 */

/** One nbformat 4 cell (only the fields gradscope reads or writes). */
export interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  id?: string;
  outputs?: unknown[];
  execution_count?: number | null;
  [key: string]: unknown;
}

/** An nbformat 4 notebook. */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** Where a merged cell's code comes from. */
export type Origin = 'template' | 'todo' | 'added';

/** A cell of the merged notebook, with its origin. */
export interface MergedCell {
  cell: Cell;
  origin: Origin;
  /** The TODO name (origin 'todo'). */
  todo?: string;
}

/** A grader cell of the template: its id, points and the grader call of its feedback cell. */
export interface GraderCell {
  id: string;
  points: number;
  /** Index of the grader cell in the template. */
  index: number;
  /** The grader the feedback cell calls, e.g. `grade.backward` with args `[{ name: 'backward' }]`. */
  call: GraderCall;
}

/** `const result = gs.<path>(<args>)`: a feedback cell's grader call. */
export interface GraderCall {
  path: string[];
  args: Array<{ name: string } | { literal: string | number }>;
}

/** The text of a cell's source. */
export const sourceOf = (cell: Cell): string => (Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? ''));

/** Parses a submission or template: a notebook, or a reason it is not one. */
export function parseNotebook(text: string): Notebook | string {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message.replace(/\s+/g, " ")})`;
  }
  const n = nb as Partial<Notebook> | null;
  if (!n || typeof n !== 'object' || n.nbformat !== 4 || !Array.isArray(n.cells)) return 'not a notebook (expected nbformat 4 JSON with a cells list)';
  for (const [i, c] of n.cells.entries()) {
    if (!c || typeof c !== 'object' || typeof c.cell_type !== 'string') return `not a notebook (cell ${i + 1} has no cell_type)`;
    const s = c.source;
    if (typeof s !== 'string' && !(Array.isArray(s) && s.every((x) => typeof x === 'string'))) return `not a notebook (cell ${i + 1}'s source is not text)`;
    if (c.metadata !== undefined && (typeof c.metadata !== 'object' || c.metadata === null)) return `not a notebook (cell ${i + 1}'s metadata is not an object)`;
  }
  return { nbformat: 4, nbformat_minor: n.nbformat_minor ?? 5, metadata: n.metadata ?? {}, cells: n.cells.map((c) => ({ ...c, metadata: c.metadata ?? {} })) };
}

const meta = (cell: Cell): Record<string, unknown> => {
  const g = cell.metadata?.gradscope;
  return g && typeof g === 'object' ? (g as Record<string, unknown>) : {};
};
const nbgrader = (cell: Cell): Record<string, unknown> => {
  const g = cell.metadata?.nbgrader;
  return g && typeof g === 'object' ? (g as Record<string, unknown>) : {};
};

/** The TODO name of a cell, if it is a TODO cell. */
export const todoOf = (cell: Cell): string | undefined => (typeof meta(cell).todo === 'string' ? (meta(cell).todo as string) : undefined);

/** True for a cell that says it is a grader cell (gradscope.grader, or nbgrader's grade: true). */
export const posesAsGrader = (cell: Cell): boolean => meta(cell).grader === true || nbgrader(cell).grade === true;

/** True for a feedback cell (gradscope.feedback). */
const isFeedback = (cell: Cell): boolean => meta(cell).feedback !== undefined;

const CALL = /^\s*const\s+result\s*=\s*gs\.([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\(([^()]*)\)\s*;?/m;

/** The grader call of a feedback cell's source, or undefined when it is not of the form gradscope grade reads. */
export function graderCall(source: string): GraderCall | undefined {
  const m = CALL.exec(source);
  if (!m) return undefined;
  const args: GraderCall['args'] = [];
  for (const raw of m[2].split(',').map((a) => a.trim()).filter(Boolean)) {
    if (/^[A-Za-z_$][\w$]*$/.test(raw)) args.push({ name: raw });
    else if (/^'[^'\\]*'$|^"[^"\\]*"$/.test(raw)) args.push({ literal: raw.slice(1, -1) });
    else if (Number.isFinite(Number(raw))) args.push({ literal: Number(raw) });
    else return undefined;
  }
  return { path: m[1].split('.'), args };
}

/**
 * The template's grader cells, with points (`gradscope.points`, else nbgrader's `points`, else 1)
 * and the grader call of the feedback cell with the same id (else the last feedback cell before it).
 * Throws an Error naming the cell when the template cannot be graded.
 */
export function graderCells(template: Notebook): GraderCell[] {
  const out: GraderCell[] = [];
  template.cells.forEach((cell, index) => {
    if (!posesAsGrader(cell)) return;
    const g = meta(cell), n = nbgrader(cell);
    const id = String(g.id ?? n.grade_id ?? cell.id ?? `cell-${index + 1}`);
    const raw = g.points ?? n.points ?? 1;
    const points = Number(raw);
    if (!Number.isFinite(points) || points < 0) throw new Error(`grader cell ${index + 1} (${id}): points ${JSON.stringify(raw)}: expected a number >= 0`);
    const feedback = template.cells.slice(0, index).filter(isFeedback);
    const own = feedback.filter((c) => String(meta(c).feedback) === id).pop() ?? feedback.pop();
    if (!own) throw new Error(`grader cell ${index + 1} (${id}): no feedback cell (metadata gradscope.feedback) before it`);
    const call = graderCall(sourceOf(own));
    if (!call) throw new Error(`feedback cell for ${id}: expected \`const result = gs.<grader>(<names or literals>)\`, got: ${sourceOf(own).split('\n')[0]}`);
    if (out.some((o) => o.id === id)) throw new Error(`grader cell ${index + 1}: id ${JSON.stringify(id)} is used twice`);
    out.push({ id, points, index, call });
  });
  if (!out.length) throw new Error('no grader cell (metadata gradscope.grader: true, or nbgrader grade: true)');
  return out;
}

/** What merging found: the merged cells, and notes for the gradebook (restored, dropped, missing). */
export interface Merged {
  cells: MergedCell[];
  notes: string[];
  /** TODO names the submission has no cell for. */
  missingTodos: string[];
}

/**
 * The template with each TODO cell replaced by the submission's TODO cell of the same name, and
 * the cells the student added (code or markdown cells not in the template, not posing as grader,
 * feedback or TODO cells) after the TODO cell they follow in the submission. Grader and every other
 * template cell come from the template, where the template has them.
 */
export function merge(template: Notebook, submission: Notebook): Merged {
  const notes: string[] = [];
  const templateSources = new Set(template.cells.map(sourceOf));
  const templateTodos = new Set(template.cells.map(todoOf).filter((t): t is string => !!t));
  const todos = new Map<string, Cell>();
  const addedAfter = new Map<string, Cell[]>();
  let lastTodo: string | undefined;
  let fakes = 0;
  for (const cell of submission.cells) {
    const todo = todoOf(cell);
    if (todo && templateTodos.has(todo) && !todos.has(todo)) {
      todos.set(todo, cell);
      lastTodo = todo;
      continue;
    }
    if (posesAsGrader(cell) || isFeedback(cell)) {
      if (!templateSources.has(sourceOf(cell))) fakes++;
      continue;
    }
    if (!lastTodo || todo || templateSources.has(sourceOf(cell))) continue; // template cells, a second copy of a TODO
    if (cell.cell_type !== 'code' && cell.cell_type !== 'markdown') continue;
    const list = addedAfter.get(lastTodo) ?? [];
    list.push(cell);
    addedAfter.set(lastTodo, list);
  }
  if (fakes) notes.push(`${fakes} grader or feedback cell(s) not in the template were dropped`);
  const submittedGraders = new Set(submission.cells.filter(posesAsGrader).map(sourceOf));
  const restored = template.cells.filter((c) => posesAsGrader(c) && !submittedGraders.has(sourceOf(c))).length;
  if (restored) notes.push(`${restored} grader cell(s) deleted or edited in the submission were restored from the template`);
  const missingTodos: string[] = [];
  const cells: MergedCell[] = [];
  for (const cell of template.cells) {
    const todo = todoOf(cell);
    if (!todo) {
      cells.push({ cell: { ...cell, outputs: cell.cell_type === 'code' ? [] : cell.outputs }, origin: 'template' });
      continue;
    }
    const mine = todos.get(todo);
    if (!mine) missingTodos.push(todo);
    cells.push({ cell: { ...cell, source: mine ? sourceOf(mine) : sourceOf(cell), outputs: [] }, origin: 'todo', todo });
    for (const a of addedAfter.get(todo) ?? []) cells.push({ cell: { ...a, metadata: {}, outputs: a.cell_type === 'code' ? [] : a.outputs }, origin: 'added' });
  }
  if (missingTodos.length) notes.push(`no TODO cell "${missingTodos.join('", "')}" in the submission: the template's unfinished one was used`);
  for (const c of cells) {
    if (c.cell.cell_type !== 'code') { delete c.cell.outputs; delete c.cell.execution_count; } else c.cell.execution_count = null;
  }
  return { cells, notes, missingTodos };
}

/** The merged notebook as nbformat 4 (the template's metadata). */
export function toNotebook(template: Notebook, cells: MergedCell[]): Notebook {
  return { nbformat: 4, nbformat_minor: template.nbformat_minor, metadata: template.metadata, cells: cells.map((c) => c.cell) };
}
