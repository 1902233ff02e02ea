// The process the registered "gradscope" kernel runs (scripts/kernel.ts writes it into kernel.json):
// this checkout's tslab, started with `startKernel({ enableFindLocal: false })` (never a copy of tslab
// found in the notebook's folder, which would run without what follows), and these changes:
//
// 1. gradscope resolves from any folder. require('gradscope') that fails from the notebook's folder
//    falls back to this checkout, and tslab's TypeScript sees <folder>/node_modules/gradscope as this
//    checkout (the way tslab itself forwards node_modules/tslab). A gradscope that the folder or one
//    above it has installed wins, for types and runtime alike (the fallback only runs when the normal
//    lookup fails; the forwarding is off when a real one exists).
// 2. Shell requests run one at a time, in order, each between its own busy and idle status (tslab
//    published busy for every request on arrival and idle when each finished, so the status bar said
//    idle while queued cells still had to run). Control requests (shutdown) are not queued.
// 3. execute_input is published with the execution count before a cell runs (nbclient, papermill
//    and JupyterLab take the count from it).
// 4. After a failing cell with stop_on_error true, only the execute requests already received when
//    the error happened are answered with status "aborted", as ipykernel does; with stop_on_error
//    false nothing is aborted. (tslab answered every request of the next 200 ms with status "abort",
//    which nbclient ignores: later cells vanished without output or count.)
// 5. iopub: stream writes are coalesced (the first write after 50 ms of quiet goes out at once; the
//    rest of a burst is flushed before any display message and before the reply, on the next turn
//    of the event loop, and at once when 50 ms or 64 KiB have piled up), display
//    messages go out synchronously, and the socket never drops or defers: sendHighWaterMark 0
//    (unbounded) and sendTimeout 0. zeromq 6 defers every 513th send made without a turn of the event
//    loop and throws EBUSY on the next one unless sendTimeout is 0.
// 6. A cell's outcome is a Jupyter message, as ipykernel sends it: an exception or a TypeScript
//    error is an iopub `error` (ename, evalue, traceback at cell line numbers) and an error
//    execute_reply; a last value is an `execute_result` (a rich bundle for objects with a
//    `Symbol.for('Jupyter.display')` method, such as gradscope's charts and reports; util.inspect
//    text otherwise). tslab printed both as streams. See tslab-execute.cjs.
//
// These patch tslab's internals, so the launcher runs only on the tslab version it was written for
// (TSLAB_VERSION, pinned in package.json) and exits with a message on any other.
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const TSLAB_VERSION = '1.0.22';
const ROOT = path.resolve(__dirname, '..');
const SELF = 'gradscope';

function fail(message) {
  process.stderr.write(`gradscope kernel (${path.relative(process.cwd(), __filename) || __filename}): ${message}\n`);
  process.exit(1);
}

let tslabDir;
try {
  tslabDir = path.dirname(require.resolve('tslab/package.json', { paths: [ROOT] }));
} catch {
  fail(`tslab is not installed in ${ROOT}; run \`npm ci\` there, then \`npm run kernel\`.`);
}
const found = JSON.parse(fs.readFileSync(path.join(tslabDir, 'package.json'), 'utf8')).version;
if (found !== TSLAB_VERSION) {
  fail(`this launcher patches the internals of tslab ${TSLAB_VERSION} and found tslab ${found} in ${tslabDir}. ` +
    `Install the pinned version (npm ci; package.json pins "tslab": "${TSLAB_VERSION}") or port scripts/tslab-kernel.cjs to ${found}.`);
}
// 6. (before tslab loads) tslab's TypeScript is a copy that emits source maps, for cell line numbers
const tsFile = require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] });
const ts = require(tsFile);
const execute = require('./tslab-execute.cjs');
const maps = execute.withSourceMaps(ts);
require.cache[tsFile].exports = maps.ts;
const jupyter = require(path.join(tslabDir, 'dist', 'jupyter.js'));
const tslabMain = require(path.join(tslabDir, 'dist', 'main.js'));
const tslabExecutor = require(path.join(tslabDir, 'dist', 'executor.js'));
const { ZmqServer, JupyterHandlerImpl } = jupyter;
for (const [what, ok] of [
  ['ZmqServer.prototype.handleShellMessage', typeof ZmqServer?.prototype?.handleShellMessage === 'function'],
  ['ZmqServer.prototype.publishStatus', typeof ZmqServer?.prototype?.publishStatus === 'function'],
  ['JupyterHandlerImpl.prototype.createWriteToIopub', typeof JupyterHandlerImpl?.prototype?.createWriteToIopub === 'function'],
  ['main.startKernel', typeof tslabMain.startKernel === 'function'],
  ['executor.createExecutor', typeof tslabExecutor.createExecutor === 'function'],
  ['typescript sys', !!ts.sys && typeof ts.sys.readFile === 'function' && typeof ts.sys.realpath === 'function'],
]) {
  if (!ok) fail(`tslab ${found} has no ${what}; scripts/tslab-kernel.cjs needs porting.`);
}

// ---- 1. gradscope from any folder ------------------------------------------------------------
const isSelf = (request) => request === SELF || request.startsWith(SELF + '/');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  try {
    return resolveFilename.call(this, request, parent, isMain, options);
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND' && typeof request === 'string' && isSelf(request)) {
      return resolveFilename.call(this, request, parent, isMain, { paths: [ROOT] });
    }
    throw e;
  }
};

/** The gradscope package folder that Node's lookup from `dir` finds (the folder or one above it). */
function installedFrom(dir) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (path.basename(d) !== 'node_modules' && fs.existsSync(path.join(d, 'node_modules', SELF, 'package.json'))) return path.join(d, 'node_modules', SELF);
    if (path.dirname(d) === d) return undefined;
  }
}

const cwd = process.cwd();
const local = installedFrom(cwd);
if (!local) {
  // TypeScript's Node10 lookup from the notebook's folder tries <cwd>/node_modules/gradscope first:
  // show it this checkout there. realpath maps it onto the checkout, so gradscope's own imports
  // (@tensorflow/tfjs, ...) resolve from the checkout's node_modules.
  const virtual = path.join(cwd, 'node_modules', SELF);
  const forward = (p) => {
    if (typeof p !== 'string') return p;
    const native = path.resolve(p);
    const rel = path.relative(virtual, native);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return path.join(ROOT, rel);
    return p;
  };
  const sys = ts.sys;
  for (const name of ['readFile', 'fileExists', 'directoryExists', 'getFileSize', 'getModifiedTime']) {
    const f = sys[name];
    if (typeof f === 'function') sys[name] = function (p, ...rest) { return f.call(this, forward(p), ...rest); };
  }
  const readDirectory = sys.readDirectory;
  sys.readDirectory = function (p, ...rest) { return readDirectory.call(this, forward(p), ...rest); };
  const realpath = sys.realpath;
  sys.realpath = function (p) {
    const f = forward(p);
    return f !== p ? realpath.call(this, f) : realpath.call(this, p);
  };
  const directoryExists = sys.directoryExists;
  sys.directoryExists = function (p) {
    return path.resolve(p) === path.join(cwd, 'node_modules') || directoryExists.call(this, p);
  };
}

// ---- 2-5. the Jupyter side ---------------------------------------------------------------------
const DELIM = Buffer.from('<IDS|MSG>');
/** The header of a raw shell message (its msg_type), without verifying it (tslab does that). */
function headerOf(frames) {
  const i = frames.findIndex((f) => Buffer.isBuffer(f) && f.equals(DELIM));
  try { return i >= 0 ? JSON.parse(frames[i + 2].toString()) : {}; } catch { return {}; }
}

const STREAM_MS = 50;
const STREAM_BYTES = 64 * 1024;

ZmqServer.prototype.init = async function () {
  const cinfo = JSON.parse(fs.readFileSync(this.configPath, 'utf-8'));
  this.connInfo = cinfo;
  const zmq = require(require.resolve('zeromq', { paths: [tslabDir] }));
  this.iopub = new zmq.Publisher({ sendHighWaterMark: 0, sendTimeout: 0 });
  this.shell = new zmq.Router();
  this.control = new zmq.Router();
  this.stdin = new zmq.Router();
  this.hb = new zmq.Reply();
  this.received = 0; // shell requests received so far
  this.abortThrough = 0; // execute requests numbered up to this are aborted
  let queue = Promise.resolve();
  const loop = async (sock, each) => {
    try {
      for await (const frames of sock) each(frames);
    } catch (e) {
      if (!sock.closed) console.error('gradscope kernel: socket loop ended:', e);
    }
  };
  // bind first, then receive: zeromq throws "Socket is blocked by a bind or unbind operation" at a
  // receive that overlaps a bind, which ended the shell loop before kernel_info (seen once in CI: the
  // kernel never answered). Messages sent in between wait in zeromq's queue.
  await Promise.all([
    this.bindSocket(this.iopub, cinfo.iopub_port),
    this.bindSocket(this.shell, cinfo.shell_port),
    this.bindSocket(this.control, cinfo.control_port),
    this.bindSocket(this.stdin, cinfo.stdin_port),
    this.bindSocket(this.hb, cinfo.hb_port),
  ]);
  loop(this.shell, (frames) => {
    const seq = ++this.received;
    const header = headerOf(frames);
    queue = queue.then(() => {
      this.current = { seq, type: header.msg_type };
      return this.handleShellMessage(this.shell, ...frames);
    }).catch((e) => console.error('gradscope kernel: shell request failed:', e));
  });
  loop(this.control, (frames) => { this.handleShellMessage(this.control, ...frames); });
  loop(this.hb, (frames) => { this.hb.send(frames); });
};

const turn = () => new Promise((resolve) => setImmediate(resolve));

ZmqServer.prototype.handleExecute = async function (sock, msg) {
  const seq = this.current ? this.current.seq : Infinity;
  const content = msg.content || {};
  const silent = !!content.silent;
  const storeHistory = content.store_history !== undefined ? !!content.store_history : !silent;
  const sendReply = (body) => {
    const reply = msg.createReply();
    reply.header.msg_type = 'execute_reply';
    reply.content = body;
    reply.signAndSend(this.connInfo.key, sock);
  };
  if (seq <= this.abortThrough) {
    sendReply({ status: 'aborted', execution_count: null });
    return;
  }
  const publish = (type, body) => {
    const m = msg.createReply();
    m.header.msg_type = type;
    m.content = body;
    m.signAndSend(this.connInfo.key, this.iopub);
  };

  // coalesced stream writes
  let pending = { name: '', text: '', since: 0 };
  let timer = null;
  let flushed = 0; // when text last went out
  const flush = () => {
    if (timer) { clearImmediate(timer); timer = null; }
    if (pending.text) { publish('stream', { name: pending.name, text: pending.text }); flushed = Date.now(); }
    pending = { name: '', text: '', since: 0 };
  };
  const writeStream = (name, text) => {
    if (silent || !text) return;
    if (pending.text && pending.name !== name) flush();
    if (!pending.text && Date.now() - flushed >= STREAM_MS) {
      // the first write after a quiet spell goes out at once (a line printed before long synchronous
      // work shows before it); the writes of a burst that follows are coalesced
      publish('stream', { name, text });
      flushed = Date.now();
      return;
    }
    if (!pending.text) pending = { name, text: '', since: Date.now() };
    pending.text += text;
    if (pending.text.length >= STREAM_BYTES || Date.now() - pending.since >= STREAM_MS) flush();
    else if (!timer) timer = setImmediate(flush);
  };
  const writeDisplayData = (data, update) => {
    if (silent) return;
    flush();
    publish(update ? 'update_display_data' : 'display_data', data);
  };

  const handler = this.handler;
  const count = storeHistory ? ++handler.execCount : handler.execCount;
  if (!silent) publish('execute_input', { code: content.code, execution_count: count });
  process.stdout.write = handler.createWriteToIopub('stdout', writeStream);
  process.stderr.write = handler.createWriteToIopub('stderr', writeStream);
  jupyter.lastWriteDisplayData = writeDisplayData;
  let outcome;
  try {
    outcome = await handler.executor.execute(content.code, count);
  } catch (e) {
    outcome = { status: 'error', ...execute.errorInfo(e, () => undefined) };
  }
  flush();
  const ok = outcome.status === 'ok';
  if (!silent && ok && outcome.value) publish('execute_result', { execution_count: count, data: outcome.value.data, metadata: outcome.value.metadata });
  if (!silent && !ok) publish('error', { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback });
  if (!ok && content.stop_on_error !== false) {
    // requests already sent are in zeromq's queue: let the shell loop receive them, then abort them
    for (let i = 0, before = -1; i < 5 && before !== this.received; i++) { before = this.received; await turn(); }
    this.abortThrough = this.received;
  }
  sendReply(ok ? { status: 'ok', execution_count: count, user_expressions: {}, payload: [] }
    : { status: 'error', execution_count: count, ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback });
};

// ---- 6. cells report errors and values as Jupyter messages (tslab-execute.cjs) ----------------
tslabExecutor.createExecutor = execute.wrapExecutor(tslabExecutor.createExecutor, maps.lastMaps);

// ---- start ---------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const at = argv.indexOf('--config-path');
if (argv[0] !== 'kernel' || at < 0 || !argv[at + 1]) fail(`usage: node ${path.basename(__filename)} kernel --config-path <connection file> [--js]`);
tslabMain.startKernel({ configPath: argv[at + 1], enableFindLocal: false, jsKernel: argv.includes('--js'), globalVersion: TSLAB_VERSION });
