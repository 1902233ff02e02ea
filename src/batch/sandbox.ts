/**
 * Where a submission's processes run: each in its own temporary folder, its own process group, with
 * a scrubbed environment, and, when Debian's bubblewrap (`bwrap`) works here, in a sandbox: the
 * system read-only, the home folder hidden except node and gradscope's install, the submissions and
 * the output folder hidden, its own /tmp, its own PID namespace (killing it kills every process the
 * submission started, detached ones included) and, unless the process must reach the grader over
 * TCP, no network.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** How submissions are confined, probed once per batch. */
export interface Sandbox {
  /** The bwrap executable, or undefined when bwrap is missing or cannot make namespaces here. */
  bwrap?: string;
  /** Why there is no bwrap sandbox (shown in the batch's header line). */
  why?: string;
  /** Folders the submission must not see (the submissions' folders, the output folder). */
  hidden: string[];
  /** Folders under $HOME the sandbox shows read-only (node, gradscope's install, the kernel's). */
  shown: string[];
}

/** Finds a working bwrap (it runs `true` in a sandbox like the real one). */
export function probeSandbox(hidden: string[], shown: string[]): Sandbox {
  const base = { hidden: hidden.map((h) => path.resolve(h)), shown: shown.map((s) => path.resolve(s)) };
  const bwrap = ['/usr/bin/bwrap', '/bin/bwrap'].find((b) => fs.existsSync(b));
  if (!bwrap) return { ...base, why: 'bubblewrap (bwrap) is not installed: submissions run without a sandbox' };
  const r = spawnSync(bwrap, ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--unshare-net', '--die-with-parent', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return { ...base, why: `bwrap cannot make a sandbox here (${(r.stderr || String(r.error ?? '')).trim().split('\n')[0]}): submissions run without one` };
  return { ...base, bwrap };
}

/** The environment a submission's process gets: PATH, LANG, HOME and TMPDIR in its own folder, a marker. */
export function scrubbedEnv(dir: string, marker: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TMPDIR: dir, LANG: process.env.LANG ?? 'C.UTF-8', GRADSCOPE_GRADE_RUN: marker };
  if (process.env.GRADSCOPE_BACKEND) env.GRADSCOPE_BACKEND = process.env.GRADSCOPE_BACKEND;
  return { ...env, ...extra };
}

/** The bwrap arguments that put `argv` in the sandbox, working in `dir`. */
export function sandboxArgs(box: Sandbox, dir: string, argv: string[], network: boolean): string[] {
  const home = os.homedir();
  const a = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  const covered: string[] = ['/tmp'];
  if (home && home !== '/' && fs.existsSync(home)) { a.push('--tmpfs', home); covered.push(home); }
  for (const h of box.hidden) if (fs.existsSync(h) && !dir.startsWith(h + path.sep)) { a.push('--tmpfs', h); covered.push(h); }
  const under = (p: string, d: string) => p === d || p.startsWith(d + path.sep);
  for (const s of box.shown) if (fs.existsSync(s) && covered.some((c) => under(s, c) && !under(dir, s))) a.push('--ro-bind', s, s);
  a.push('--bind', dir, dir, '--chdir', dir, '--unshare-pid', '--die-with-parent', '--new-session');
  if (!network) a.push('--unshare-net');
  return [...a, '--', ...argv];
}

/** A process started for a submission, and how to end it with everything it started. */
export interface Confined {
  child: ChildProcess;
  /** Kills the process group (and, without bwrap, every process that carries the run's marker). */
  kill(): void;
}

/** Starts `argv` confined to `dir` (see the module comment); `stdio` as for spawn. */
export function confine(box: Sandbox, dir: string, argv: string[], options: { env: Record<string, string>; stdio: StdioOptions; network: boolean }): Confined {
  const [cmd, ...args] = box.bwrap ? [box.bwrap, ...sandboxArgs(box, dir, argv, options.network)] : argv;
  const child = spawn(cmd, args, { cwd: dir, env: options.env, stdio: options.stdio, detached: true });
  const marker = options.env.GRADSCOPE_GRADE_RUN;
  const kill = () => {
    if (child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    if (!box.bwrap && marker) killMarked(marker);
  };
  return { child, kill };
}

/**
 * Kills every process of this user whose environment holds GRADSCOPE_GRADE_RUN=marker: the ones a
 * submission started in a new process group or session (detached), which the group kill misses.
 * (Without bwrap; a process that cleared its environment escapes it.)
 */
export function killMarked(marker: string): void {
  let pids: string[];
  try { pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)); } catch { return; }
  const needle = `GRADSCOPE_GRADE_RUN=${marker}\0`;
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle)) process.kill(Number(pid), 'SIGKILL');
    } catch { /* gone, or not ours */ }
  }
}
