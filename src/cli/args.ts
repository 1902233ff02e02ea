/** Argument parsing for the `gradscope` command: flags and `--name value` / `--name=value` options. */

/** A usage or input problem: main prints its message (no stack) and exits with `code`. */
export class CliError extends Error {
  constructor(message: string, readonly code = 2) {
    super(message);
  }
}

/** The options a command takes: name -> whether it takes a value. */
export type OptionSpec = Record<string, 'flag' | 'value'>;

/** Parsed arguments: option values by name (`true` for a flag) and the rest, in order. */
export interface Parsed {
  options: Record<string, string | true>;
  rest: string[];
}

/**
 * Splits `args` by `spec`; an unknown option, a missing value or a flag given a value is a CliError
 * that lists the command's options.
 */
export function parse(command: string, args: string[], spec: OptionSpec): Parsed {
  const options: Record<string, string | true> = {};
  const rest: string[] = [];
  const known = () => Object.keys(spec).map((k) => `--${k}`).join(', ') || 'none';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { rest.push(...args.slice(i + 1)); break; }
    if (!a.startsWith('--') || a === '-') { rest.push(a); continue; }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new CliError(`gradscope ${command}: unknown option ${a} (its options: ${known()}; gradscope ${command} --help)`);
    if (kind === 'flag') {
      if (eq >= 0) throw new CliError(`gradscope ${command}: --${name} takes no value (got ${a})`);
      options[name] = true;
    } else {
      const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new CliError(`gradscope ${command}: --${name} needs a value`);
      options[name] = value;
    }
  }
  return { options, rest };
}

/** A positive number option, or its default. */
export function positive(command: string, options: Parsed['options'], name: string, fallback: number): number {
  const v = options[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n <= 0) throw new CliError(`gradscope ${command}: --${name} ${String(v)}: expected a positive number`);
  return n;
}
