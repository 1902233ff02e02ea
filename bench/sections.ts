/**
 * BENCHMARKS.md is written by more than one command: `npm run bench` (bench/run.ts) writes the
 * benchmark cases, `npm run notebooks -- --record` (scripts/notebooks.ts) its own section. Each
 * rewrites only the `## ` sections it produces and keeps every other section as it found it.
 * A section runs from its `## ` heading to the next `## ` heading or the end of the file.
 */

/** One `## ` section: its heading line and the whole text (heading included, trailing newlines trimmed). */
export interface Section {
  heading: string;
  text: string;
}

/**
 * Splits markdown into the text before the first `## ` heading and the `## ` sections.
 *
 * @example
 * ```ts
 * split('# T\n\nintro\n\n## A\n\na\n\n## B\nb\n').sections.map((s) => s.heading); // ['## A', '## B']
 * ```
 */
export function split(md: string): { preamble: string; sections: Section[] } {
  const lines = md.replace(/\r\n/g, '\n').split('\n');
  const pre: string[] = [];
  const sections: Section[] = [];
  let current: string[] | undefined;
  let fence = false;
  const close = (): void => {
    if (current) sections.push({ heading: current[0], text: current.join('\n').replace(/\n+$/, '') });
  };
  for (const line of lines) {
    if (/^(```|~~~)/.test(line)) fence = !fence; // a '## ' inside a code block is not a heading
    if (!fence && line.startsWith('## ')) {
      close();
      current = [line];
    } else (current ?? pre).push(line);
  }
  close();
  return { preamble: pre.join('\n').replace(/\n+$/, ''), sections };
}

/**
 * The generated document followed by the sections of `existing` that the generator does not own
 * (in their original order). A section is owned when its heading is one the generated text has,
 * or `owns(heading)` says so (headings the generator used to write under another name).
 *
 * @example
 * ```ts
 * merge('# B\n\n## (a) x\n1\n', '# B\n\n## (a) x\n0\n\n## Notebook execution\n53.9 s\n');
 * // '# B\n\n## (a) x\n1\n\n## Notebook execution\n53.9 s\n'
 * ```
 */
export function merge(generated: string, existing: string | undefined, owns: (heading: string) => boolean = () => false): string {
  const gen = split(generated);
  const mine = new Set(gen.sections.map((s) => s.heading.trim()));
  const kept = existing === undefined ? [] : split(existing).sections.filter((s) => !mine.has(s.heading.trim()) && !owns(s.heading));
  return [generated.replace(/\n+$/, ''), ...kept.map((s) => s.text)].join('\n\n') + '\n';
}

/**
 * `existing` with the section whose heading starts with `prefix` replaced by `section` (appended
 * when there is none); everything else is left as it was.
 *
 * @example
 * ```ts
 * replaceSection(doc, '## Notebook execution', '## Notebook execution (npm run notebooks)\n\n...');
 * ```
 */
export function replaceSection(existing: string, prefix: string, section: string): string {
  const { preamble, sections } = split(existing);
  const text = section.replace(/\n+$/, '');
  let found = false;
  const out = sections.map((s) => {
    if (!s.heading.startsWith(prefix)) return s.text;
    if (found) return ''; // a duplicate of the replaced section
    found = true;
    return text;
  }).filter((t) => t !== '');
  if (!found) out.push(text);
  return [preamble, ...out].filter((t) => t !== '').join('\n\n') + '\n';
}
