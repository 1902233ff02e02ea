// The process the registered "gradscope" kernel runs (scripts/kernel.ts writes it into kernel.json):
// this checkout's tslab, with one fix to its iopub socket, then tslab's own `main()`.
//
// The fix: tslab 1.0.22 publishes on a zeromq 6 Publisher and never awaits `send()`. zeromq 6 sends
// synchronously (zmq_msg_send, so updates leave while a cell still runs), but after 512 sends that
// were never followed by a turn of the event loop it defers one send, and any send before that
// deferred one goes out throws EBUSY ("Socket is busy writing"). The counter only resets on a
// deferred send, so every 513th iopub message of a session is deferred, and the next message in
// the same synchronous stretch (a stream line, a progress update, the cell's 'idle' status) throws.
// Measured: about 170 trivial cells, or five cells printing 100 lines each, and the kernel dies
// (tfjs-backend-wasm's Emscripten glue rethrows unhandled rejections, so tslab's logger does not
// catch it). With sendTimeout 0 zeromq takes its immediate path on every send and never defers; a
// PUB socket's send never blocks anyway (it drops at the high-water mark).
'use strict';
const path = require('path');

const tslab = path.dirname(require.resolve('tslab/package.json', { paths: [path.join(__dirname, '..')] }));
const { ZmqServer } = require(path.join(tslab, 'dist', 'jupyter.js'));
const init = ZmqServer.prototype.init;
ZmqServer.prototype.init = async function (...args) {
  await init.apply(this, args); // creates and binds the sockets; no request can arrive before it resolves
  this.iopub.sendTimeout = 0;
};

require(path.join(tslab, 'dist', 'main.js')).main();
