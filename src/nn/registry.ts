/**
 * The model families gradscope knows, each registered by its own folder when it loads (mlp/, rnn/,
 * lstm/, ...): messages that list them ("a network from gs.mlp, gs.rnn or gs.lstm") read this
 * registry, so no list of families lives outside the families' folders.
 */

/** One family: its name (Model.family), its factory as users call it, and its place in lists. */
export interface Family {
  /** Model.family: 'mlp', 'rnn', 'lstm', ... */
  name: string;
  /** The factory users call: 'gs.mlp', 'gs.rnn', ... */
  factory: string;
  /** Order in lists (the MLP first). */
  order: number;
  /** A sequence model (X [m, T, nx]). */
  recurrent?: boolean;
}

const FAMILIES = new Map<string, Family>();

/**
 * Registers a family (idempotent by name).
 *
 * @example
 * ```ts
 * registerFamily({ name: 'gru', factory: 'gs.gru', order: 4, recurrent: true });
 * ```
 */
export function registerFamily(family: Family): void {
  FAMILIES.set(family.name, family);
}

/**
 * The registered families in order, optionally only the recurrent ones.
 *
 * @example
 * ```ts
 * families().map((f) => f.factory); // ['gs.mlp', 'gs.rnn', 'gs.lstm']
 * ```
 */
export function families(only?: { recurrent?: boolean }): Family[] {
  return [...FAMILIES.values()].filter((f) => only?.recurrent === undefined || !!f.recurrent === only.recurrent).sort((p, q) => p.order - q.order);
}

/**
 * The factories as a phrase: 'gs.mlp, gs.rnn or gs.lstm'.
 *
 * @example
 * ```ts
 * `invalid net: ... (expected a network from ${familyList()})`;
 * ```
 */
export function familyList(only?: { recurrent?: boolean }, suffix = ''): string {
  const names = families(only).map((f) => f.factory + suffix);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
