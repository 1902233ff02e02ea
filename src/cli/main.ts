/**
 * The `gradscope` command (package.json `bin`: bin/gradscope.cjs runs the built dist/cli/main.js).
 * One implementation for a project that installed gradscope (`npx gradscope ...`) and for this
 * checkout (`npm run kernel`, `npm run native`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './args';
import { EXPORT_HELP, exportCommand } from './export';
import { GRADE_HELP, gradeCommand } from './grade';
import { KERNEL_HELP, kernelCommand } from './kernel';
import { native } from './native';
import { PACKAGE_ROOT } from './paths';

const NATIVE_HELP = `gradscope native [options]: build @tensorflow/tfjs-node (the tensorflow backend) from a TensorFlow wheel
  (gradscope native --help lists its options)`;

const COMMANDS: Record<string, { summary: string; help: string; run: (args: string[]) => number | Promise<number> }> = {
  kernel: { summary: 'register the Jupyter kernel "gradscope" (tslab with gradscope\'s fixes)', help: KERNEL_HELP, run: kernelCommand },
  export: { summary: 'execute notebooks headless; write executed copies and HTML', help: EXPORT_HELP, run: exportCommand },
  grade: { summary: 'grade a class\'s homework notebooks against a template: gradebook and feedback pages', help: GRADE_HELP, run: gradeCommand },
  native: { summary: 'build tfjs-node (the fast tensorflow backend) from a TensorFlow wheel', help: NATIVE_HELP, run: native },
};

function version(): string {
  return JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `gradscope ${version()}: see backpropagation in TypeScript notebooks`,
    '',
    'usage: gradscope <command> [options]     (npx gradscope ... in a project that installed it)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'gradscope <command> --help shows a command\'s options. Deno\'s kernel needs no registration from',
    'gradscope: deno jupyter --install, then import * as gs from \'gradscope\' in a notebook.',
  ].join('\n');
}

/** Runs `gradscope ...args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(usage());
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    console.log(version());
    return 0;
  }
  const c = COMMANDS[command];
  if (!c) {
    console.error(`gradscope: unknown command ${JSON.stringify(command)} (commands: ${Object.keys(COMMANDS).join(', ')}; gradscope --help)`);
    return 2;
  }
  if (command !== 'native' && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(c.help);
    return 0;
  }
  try {
    return await c.run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      console.error(e.message);
      return e.code;
    }
    throw e;
  }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
