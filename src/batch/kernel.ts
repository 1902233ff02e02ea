/**
 * A minimal Jupyter client for `gradscope grade`: starts one kernel (a registered kernelspec's argv)
 * confined to a submission's folder (sandbox.ts), runs a notebook's code cells in order (later cells
 * run after an error, as nbgrader does), keeps their outputs as nbformat outputs with printed text
 * capped, and ends the kernel's whole process group when done, on a timeout or when it dies. No
 * nbconvert process per notebook: the wire protocol over zeromq (tslab's copy) is all it needs.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { confine, scrubbedEnv, type Sandbox } from './sandbox';

/** A registered kernel: what jupyter_client's KernelSpecManager reports. */
export interface KernelSpec { name: string; argv: string[]; env: Record<string, string>; resourceDir: string }

/** One nbformat output. */
export type Output = Record<string, unknown> & { output_type: string };

/** What happened to one code cell. */
export interface CellRun {
  status: 'ok' | 'error' | 'not run';
  outputs: Output[];
  executionCount: number | null;
  /** The error output's name and value (status 'error'). */
  error?: { ename: string; evalue: string };
}

/** A notebook's run: how it ended, each code cell, and where the time went. */
export interface KernelRun {
  outcome: 'completed' | 'timeout' | 'died' | 'no start';
  message?: string;
  cells: CellRun[];
  /** Seconds from spawning the kernel to its first kernel_info reply on shell and status on iopub. */
  startSeconds: number;
  /** Seconds spent running cells. */
  cellSeconds: number;
}

/** Printed text kept per notebook (stdout and stderr together); the rest is counted, not kept. */
export const OUTPUT_CAP = 100_000;

interface Message { header: { msg_id: string; msg_type: string }; parent_header: { msg_id?: string }; content: Record<string, unknown> }

// zeromq is tslab's dependency: resolve it from there (npm may not hoist it beside gradscope)
type Zmq = typeof import('zeromq');
let zmqModule: Zmq | undefined;
function zmq(): Zmq {
  if (!zmqModule) {
    const tslab = path.dirname(require.resolve('tslab/package.json'));
    zmqModule = require(require.resolve('zeromq', { paths: [tslab] })) as Zmq;
  }
  return zmqModule;
}

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
});

/** True for gradscope's own launcher, which binds `transport://ip:port` and so can use ipc sockets (no network). */
const speaksIpc = (spec: KernelSpec): boolean => spec.argv.some((a) => /tslab-kernel\.cjs$/.test(a));

/** Runs `codes` (the notebook's code cells, in order) on a fresh kernel in `dir`; never throws for what the kernel does. */
export async function runKernel(spec: KernelSpec, box: Sandbox, dir: string, codes: string[], timeoutMs: number): Promise<KernelRun> {
  const t0 = Date.now();
  const deadline = t0 + timeoutMs;
  const ipc = speaksIpc(spec);
  const key = randomBytes(32).toString('hex');
  const ports = ipc ? [1, 2, 3, 4, 5] : await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
  const ip = ipc ? path.join(dir, 'k') : '127.0.0.1';
  const [shellPort, iopubPort, stdinPort, controlPort, hbPort] = ports;
  const connection = { shell_port: shellPort, iopub_port: iopubPort, stdin_port: stdinPort, control_port: controlPort, hb_port: hbPort, ip, key, transport: ipc ? 'ipc' : 'tcp', signature_scheme: 'hmac-sha256', kernel_name: spec.name };
  const connectionFile = path.join(dir, 'connection.json');
  fs.writeFileSync(connectionFile, JSON.stringify(connection));
  const argv = spec.argv.map((a) => a.replace('{connection_file}', connectionFile).replace('{resource_dir}', spec.resourceDir));
  const marker = randomUUID();
  const proc = confine(box, dir, argv, { env: scrubbedEnv(dir, marker, spec.env), stdio: ['ignore', 'pipe', 'pipe'], network: !ipc });
  let log = '';
  const keepLog = (d: Buffer) => { log = (log + d.toString('utf8')).slice(-4000); };
  proc.child.stdout?.on('data', keepLog);
  proc.child.stderr?.on('data', keepLog);
  let exited: string | undefined;
  let onExit: (why: string) => void = () => {};
  proc.child.on('exit', (code, signal) => { exited = `exit ${signal ?? code}`; onExit(exited); });
  proc.child.on('error', (e) => { exited = e.message; onExit(exited); });

  const z = zmq();
  const addr = (port: number) => (ipc ? `ipc://${ip}:${port}` : `tcp://${ip}:${port}`);
  const shell = new z.Dealer({ routingId: randomUUID(), linger: 0 });
  const iopub = new z.Subscriber({ linger: 0 });
  iopub.subscribe();
  shell.connect(addr(shellPort));
  iopub.connect(addr(iopubPort));
  const sign = (parts: string[]) => { const h = createHmac('sha256', key); for (const p of parts) h.update(p); return h.digest('hex'); };
  const send = (msgType: string, content: object): string => {
    const msgId = randomUUID();
    const parts = [JSON.stringify({ msg_id: msgId, msg_type: msgType, username: 'gradscope', session: marker, date: new Date().toISOString(), version: '5.3' }), '{}', '{}', JSON.stringify(content)];
    shell.send(['<IDS|MSG>', sign(parts), ...parts]).catch(() => { /* the kernel is gone: the exit handler says so */ });
    return msgId;
  };
  const decode = (frames: Buffer[]): Message | undefined => {
    const at = frames.findIndex((f) => f.toString() === '<IDS|MSG>');
    if (at < 0) return undefined;
    const parts = frames.slice(at + 2, at + 6).map((f) => f.toString('utf8'));
    if (sign(parts) !== frames[at + 1].toString()) return undefined;
    return { header: JSON.parse(parts[0]), parent_header: JSON.parse(parts[1]), content: JSON.parse(parts[3]) };
  };
  const listeners = new Map<string, (m: Message, channel: 'shell' | 'iopub') => void>();
  const pump = async (sock: AsyncIterable<Buffer[]>, channel: 'shell' | 'iopub') => {
    try {
      for await (const frames of sock) {
        const m = decode(frames);
        const l = m?.parent_header.msg_id ? listeners.get(m.parent_header.msg_id) : undefined;
        if (m && l) l(m, channel);
      }
    } catch { /* closed */ }
  };
  void pump(shell, 'shell');
  void pump(iopub, 'iopub');

  const cells: CellRun[] = codes.map(() => ({ status: 'not run', outputs: [], executionCount: null }));
  let outcome: KernelRun['outcome'] = 'completed';
  let message: string | undefined;
  let startSeconds = 0;
  const tCells = { start: 0, end: 0 };
  // waits for `done` to be called, the deadline, or the kernel's exit
  const until = <T>(start: (done: (v: T) => void) => void, ms = deadline - Date.now()): Promise<T | 'timeout' | 'died'> => new Promise((resolve) => {
    if (exited) { resolve('died'); return; }
    const timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
    onExit = () => { clearTimeout(timer); resolve('died'); };
    start((v) => { clearTimeout(timer); resolve(v); });
  });
  try {
    // started: a kernel_info reply on shell and a status for it on iopub (so no output of the first
    // cell is missed); asked again every 500 ms, since iopub may connect after the first status
    let again: NodeJS.Timeout | undefined;
    const r = await until<boolean>((done) => {
      const ask = () => {
        const id = send('kernel_info_request', {});
        let reply = false, status = false;
        listeners.set(id, (m, channel) => {
          if (channel === 'shell') reply = true; else if (m.header.msg_type === 'status') status = true;
          if (reply && status) { clearInterval(again); done(true); }
        });
      };
      again = setInterval(ask, 500);
      ask();
    });
    clearInterval(again);
    if (r === 'timeout' || r === 'died') {
      message = r === 'died' ? `the kernel died before it started (${exited}): ${log.trim().split('\n').slice(-3).join(' | ')}` : `timeout: the kernel did not start within ${timeoutMs / 1000} s`;
      if (cells[0]) cells[0] = { status: 'error', outputs: [], executionCount: null, error: { ename: r === 'died' ? 'DeadKernel' : 'Timeout', evalue: message } };
      return { outcome: r === 'died' ? 'no start' : 'timeout', message, cells, startSeconds: (Date.now() - t0) / 1000, cellSeconds: 0 };
    }
    listeners.clear();
    startSeconds = (Date.now() - t0) / 1000;
    tCells.start = Date.now();
    let kept = 0, dropped = 0;
    for (const [i, code] of codes.entries()) {
      const cell = cells[i];
      const r = await until<void>((done) => {
        const id = send('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false });
        let reply = false, idle = false;
        listeners.set(id, (m, channel) => {
          const c = m.content;
          if (channel === 'shell') {
            reply = true;
            cell.executionCount = (c.execution_count as number) ?? null;
            if (c.status === 'error') { cell.status = 'error'; cell.error ??= { ename: String(c.ename), evalue: String(c.evalue) }; } else if (cell.status === 'not run') cell.status = 'ok';
          } else {
            const type = m.header.msg_type;
            if (type === 'status' && c.execution_state === 'idle') idle = true;
            else if (type === 'stream') {
              const text = String(c.text ?? '');
              const room = Math.max(0, OUTPUT_CAP - kept);
              if (text.length > room) dropped += text.length - room;
              const t = text.slice(0, room);
              kept += t.length;
              const last = cell.outputs[cell.outputs.length - 1];
              if (t && last?.output_type === 'stream' && last.name === c.name) last.text = String(last.text) + t;
              else if (t) cell.outputs.push({ output_type: 'stream', name: c.name, text: t });
            } else if (type === 'display_data') cell.outputs.push({ output_type: 'display_data', data: c.data, metadata: c.metadata ?? {} });
            else if (type === 'execute_result') cell.outputs.push({ output_type: 'execute_result', data: c.data, metadata: c.metadata ?? {}, execution_count: c.execution_count ?? null });
            else if (type === 'error') {
              cell.outputs.push({ output_type: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback ?? [] });
              cell.status = 'error';
              cell.error = { ename: String(c.ename), evalue: String(c.evalue) };
            } else if (type === 'clear_output') cell.outputs.length = 0;
          }
          if (reply && idle) { listeners.delete(id); done(); }
        });
      });
      if (dropped) {
        cell.outputs.push({ output_type: 'stream', name: 'stderr', text: `\n[gradscope grade: printed output capped at ${OUTPUT_CAP} characters; ${dropped} more were not kept]\n` });
        dropped = 0;
      }
      if (r === 'timeout' || r === 'died') {
        outcome = r;
        cell.status = 'error';
        message = r === 'timeout' ? `timeout: the notebook ran over ${timeoutMs / 1000} s (at code cell ${i + 1}); the kernel was killed` : `the kernel died in code cell ${i + 1} (${exited})`;
        cell.error = { ename: r === 'timeout' ? 'Timeout' : 'DeadKernel', evalue: message };
        cell.outputs.push({ output_type: 'error', ename: cell.error.ename, evalue: message, traceback: [message] });
        break;
      }
    }
    tCells.end = Date.now();
  } finally {
    onExit = () => {};
    proc.kill();
    shell.close();
    iopub.close();
  }
  return { outcome, message, cells, startSeconds, cellSeconds: (tCells.end - tCells.start) / 1000 };
}
