"""Checks the registered kernel the way Jupyter front ends talk to it (driven by scripts/kernel-check.ts).

    python3 scripts/kernel-check.py KERNEL WORKDIR CHECK...

Each CHECK prints one JSON line {"check", "ok", "figures", "problems"}; the kernel runs in WORKDIR
(a folder outside the checkout). Checks:

  import      `import * as gs from 'gradscope'` and `const tf = gs.tf;` compile and run
  abort       a failing cell, then: the next cell sent right after the reply (stop_on_error false and
              true: nbclient's order) must run; three cells queued behind the failing one with
              stop_on_error true must get status "aborted" and no output; a cell sent afterwards runs
  counts      every executed cell gets an iopub execute_input with the count its reply carries
  busy        three queued cells: status messages go busy/idle per request, in request order, so the
              kernel never looks idle while a queued cell still has to run
  messages    a cell's outcome as ipykernel sends it: `1 + 1` an execute_result (text/plain 2) with
              the execution count; a type error an iopub `error` with ename TSError and an error
              reply; a thrown TypeError and a bad gradscope call `error`s with ename TypeError and
              GradscopeError, the traceback at the cell's own line numbers with no tslab or launcher
              frame; a chart as the last expression an execute_result with the Vega-Lite spec, the
              PNG and its display size; a report as the last expression its table (display_data)
              then its chart; undefined no execute_result
  progress    gs.progress updates in a synchronous 2 s loop reach the client while the cell runs
  lines       20 cells x 200 printed lines through nbclient (what nbconvert --execute runs): every
              line arrives, in order, in its own cell
  cells FILE  runs the cells of FILE (a JSON list of {"name", "code"}) in order in one kernel and
              prints one JSON line per cell: status, stdout, stderr, display MIME types (README check)
"""
import json
import os
import sys
import time

from jupyter_client.manager import start_new_kernel

TIMEOUT = 120


def collect(kc, msg_id, timeout=TIMEOUT):
    """iopub messages of one request, up to its idle status; and the shell reply."""
    reply = kc.get_shell_msg(timeout=timeout)
    while reply['parent_header'].get('msg_id') != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    msgs = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=timeout)
        if m['parent_header'].get('msg_id') != msg_id:
            continue
        msgs.append(m)
        if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
            break
    return reply, msgs


def stdout_of(msgs):
    return ''.join(m['content']['text'] for m in msgs if m['msg_type'] == 'stream' and m['content']['name'] == 'stdout')


def outputs_of(msgs):
    return [m for m in msgs if m['msg_type'] in ('stream', 'display_data', 'execute_result', 'error')]


def run(kc, code, timeout=TIMEOUT, **kw):
    msg_id = kc.execute(code, **kw)
    return collect(kc, msg_id, timeout)


def check_import(kc):
    problems, figures = [], {}
    code = "import * as gs from 'gradscope';\nconst tf = gs.tf;\nconsole.log(JSON.stringify({ sum: tf.tensor1d([1, 2, 3]).sum().arraySync(), d: gs.numericDerivative((a) => a ** 3, 1, { eps: 0.01 }) }));"
    reply, msgs = run(kc, code)
    figures['status'] = reply['content']['status']
    out = stdout_of(msgs)
    err = ''.join(m['content']['text'] for m in msgs if m['msg_type'] == 'stream' and m['content']['name'] == 'stderr')
    figures['stdout'] = out.strip()
    if reply['content']['status'] != 'ok':
        problems.append('the import cell failed: %s' % (err.strip() or reply['content'])[:800])
    else:
        try:
            v = json.loads(out.strip().splitlines()[-1])
            if v['sum'] != 6 or abs(v['d'] - 3.0001) > 1e-9:
                problems.append('unexpected values: %s' % out.strip())
        except Exception:  # noqa: BLE001
            problems.append('no JSON line printed: %r' % out[:300])
    reply, msgs = run(kc, "const where = require.resolve('gradscope'); console.log(where);")
    figures['resolved'] = stdout_of(msgs).strip()
    return figures, problems


def check_abort(kc):
    problems, figures = [], {}
    # nbclient's order: the next request is sent once the failing one's reply and idle arrived
    for stop in (False, True):
        reply, _ = run(kc, "throw new Error('boom');", stop_on_error=stop)
        if reply['content']['status'] != 'error':
            problems.append('a throwing cell replied %r, expected error' % reply['content']['status'])
        reply, msgs = run(kc, "console.log('after', 40 + 2);", stop_on_error=stop)
        key = 'next_after_error_stop_on_error_%s' % str(stop).lower()
        figures[key] = reply['content']['status']
        if reply['content']['status'] != 'ok' or 'after 42' not in stdout_of(msgs):
            problems.append('stop_on_error=%s: the cell sent after the failing one got %r and printed %r (expected ok, "after 42")'
                            % (stop, reply['content']['status'], stdout_of(msgs)[:100]))
    # JupyterLab's Run All: everything queued at once; stop_on_error true aborts what was queued
    ids = [kc.execute("await new Promise((r) => setTimeout(r, 300)); throw new Error('queued boom');", stop_on_error=True)]
    ids += [kc.execute("console.log('queued %d');" % k, stop_on_error=True) for k in range(3)]
    replies = {}
    outputs = {i: [] for i in ids}
    idle = set()
    deadline = time.time() + TIMEOUT
    while (len(replies) < len(ids) or len(idle) < len(ids)) and time.time() < deadline:
        try:
            m = kc.get_shell_msg(timeout=0.05)
            replies[m['parent_header']['msg_id']] = m
        except Exception:  # noqa: BLE001  (queue.Empty)
            pass
        try:
            while True:
                m = kc.get_iopub_msg(timeout=0.01)
                pid = m['parent_header'].get('msg_id')
                if pid in outputs:
                    if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
                        idle.add(pid)
                    elif m['msg_type'] in ('stream', 'display_data', 'execute_result', 'error'):
                        outputs[pid].append(m)
        except Exception:  # noqa: BLE001
            pass
    statuses = [replies[i]['content']['status'] if i in replies else 'no reply' for i in ids]
    figures['queued_statuses'] = statuses
    if statuses != ['error', 'aborted', 'aborted', 'aborted']:
        problems.append('a failing cell with three queued behind it (stop_on_error true) gave %s, expected error, aborted x3' % statuses)
    if any(outputs[i] for i in ids[1:]):
        problems.append('an aborted cell produced output')
    reply, msgs = run(kc, "console.log('later');", stop_on_error=True)
    figures['later'] = reply['content']['status']
    if reply['content']['status'] != 'ok' or 'later' not in stdout_of(msgs):
        problems.append('a cell sent after the aborted ones got %r' % reply['content']['status'])
    return figures, problems


def check_counts(kc):
    problems, figures = [], {}
    seen = []
    for code in ('1 + 1', "console.log('x')", 'const q = 3; q * 2'):
        reply, msgs = run(kc, code)
        inputs = [m for m in msgs if m['msg_type'] == 'execute_input']
        count = reply['content'].get('execution_count')
        seen.append({'reply': count, 'execute_input': [m['content'].get('execution_count') for m in inputs]})
        if len(inputs) != 1 or inputs[0]['content'].get('execution_count') != count or not isinstance(count, int):
            problems.append('cell %r: execute_input %s, reply count %r' % (code, [m['content'] for m in inputs], count))
        elif inputs[0]['content'].get('code') != code:
            problems.append('execute_input carries %r, not the cell code' % inputs[0]['content'].get('code'))
    figures['counts'] = seen
    replies = [s['reply'] for s in seen]
    if all(isinstance(r, int) for r in replies) and replies != list(range(replies[0], replies[0] + len(replies))):
        problems.append('counts are not consecutive: %s' % replies)
    return figures, problems


def check_busy(kc):
    problems, figures = [], {}
    ids = [kc.execute("await new Promise((r) => setTimeout(r, 200)); %d" % k) for k in range(3)]
    events = []
    done = 0
    deadline = time.time() + TIMEOUT
    while done < len(ids) and time.time() < deadline:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        pid = m['parent_header'].get('msg_id')
        if m['msg_type'] == 'status' and pid in ids:
            events.append('%s%d' % (m['content']['execution_state'], ids.index(pid) + 1))
            if m['content']['execution_state'] == 'idle':
                done += 1
    for _ in ids:
        kc.get_shell_msg(timeout=TIMEOUT)
    figures['status_sequence'] = events
    expected = ['busy1', 'idle1', 'busy2', 'idle2', 'busy3', 'idle3']
    if events != expected:
        problems.append('status messages %s, expected %s (idle while queued cells still run)' % (' '.join(events), ' '.join(expected)))
    return figures, problems


def check_progress(kc):
    """gs.progress in a synchronous 2 s loop: its updates must reach the client while the cell runs
    (display messages are sent at once, not coalesced like stream text)."""
    problems, figures = [], {}
    code = ("import * as gs from 'gradscope';\n"
            "const p = gs.progress('spin', { total: 20, interval: 0 });\n"
            "for (let i = 1; i <= 20; i++) { const t = Date.now(); while (Date.now() - t < 100) {} p(i); }\n"
            "p.finish();")
    msg_id = kc.execute(code)
    arrivals = []
    reply_at = None
    t0 = time.time()
    deadline = t0 + TIMEOUT
    idle = False
    while (reply_at is None or not idle) and time.time() < deadline:
        try:
            m = kc.get_iopub_msg(timeout=0.02)
            if m['parent_header'].get('msg_id') == msg_id:
                if m['msg_type'] in ('display_data', 'update_display_data'):
                    arrivals.append(time.time())
                if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
                    idle = True
        except Exception:  # noqa: BLE001
            pass
        if reply_at is None:
            try:
                r = kc.get_shell_msg(timeout=0.001)
                if r['parent_header'].get('msg_id') == msg_id:
                    reply_at = time.time()
            except Exception:  # noqa: BLE001
                pass
    early = [a for a in arrivals if reply_at is not None and a < reply_at - 0.5]
    figures.update({'updates': len(arrivals), 'updates_over_0.5s_before_reply': len(early),
                    'first_update_before_reply_s': round(reply_at - arrivals[0], 2) if arrivals and reply_at else None})
    if len(arrivals) < 10:
        problems.append('only %d progress messages arrived (expected about 21)' % len(arrivals))
    if len(early) < 5:
        problems.append('progress updates did not arrive while the cell ran (%d arrived more than 0.5 s before the reply)' % len(early))
    # a line printed before long synchronous work must show before that work ends
    msg_id = kc.execute("console.log('before');\nconst t0 = Date.now(); while (Date.now() - t0 < 1500) {}\nconsole.log('after');")
    first_at = reply_at = None
    deadline = time.time() + TIMEOUT
    while reply_at is None and time.time() < deadline:
        try:
            m = kc.get_iopub_msg(timeout=0.02)
            if m['parent_header'].get('msg_id') == msg_id and m['msg_type'] == 'stream' and 'before' in m['content']['text'] and first_at is None:
                first_at = time.time()
        except Exception:  # noqa: BLE001
            pass
        try:
            r = kc.get_shell_msg(timeout=0.001)
            if r['parent_header'].get('msg_id') == msg_id:
                reply_at = time.time()
        except Exception:  # noqa: BLE001
            pass
    lead = round(reply_at - first_at, 2) if first_at and reply_at else None
    figures['line_before_sync_work_arrived_s_before_reply'] = lead
    if lead is None or lead < 1.0:
        problems.append('a line printed before 1.5 s of synchronous work arrived %s s before the reply (expected > 1 s: it must not wait for the work)' % lead)
    return figures, problems


def check_lines(kernel, workdir, cells=20, lines=200):
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("for (let i = 0; i < %d; i++) console.log('cell %d line ' + i);" % (lines, c)) for c in range(cells)]
    client = NotebookClient(nb, kernel_name=kernel, timeout=TIMEOUT, resources={'metadata': {'path': workdir}})
    t0 = time.time()
    client.execute()
    seconds = time.time() - t0
    lost = 0
    wrong_place = 0
    for c, cell in enumerate(nb.cells):
        got = ''.join(o.get('text', '') for o in cell.outputs if o.get('output_type') == 'stream' and o.get('name') == 'stdout').splitlines()
        want = ['cell %d line %d' % (c, i) for i in range(lines)]
        lost += sum(1 for w in want if w not in set(got))
        wrong_place += sum(1 for g in got if not g.startswith('cell %d ' % c))
        if got != want and not lost:
            wrong_place += 1
    figures = {'cells': cells, 'lines_per_cell': lines, 'lines_lost': lost, 'lines_misplaced': wrong_place,
               'stream_outputs': sum(len(c.outputs) for c in nb.cells), 'seconds': round(seconds, 2),
               'execution_counts': [c.execution_count for c in nb.cells][:3] + ['...']}
    problems = []
    if lost or wrong_place:
        problems.append('%d of %d lines lost, %d misplaced' % (lost, cells * lines, wrong_place))
    if any(c.execution_count is None for c in nb.cells):
        problems.append('nbclient stored execution_count null (no execute_input)')
    return figures, problems


def run_cells(kc, file):
    cells = json.load(open(file, encoding='utf-8'))
    for k, cell in enumerate(cells):
        t0 = time.time()
        reply, msgs = run(kc, cell['code'], timeout=900, stop_on_error=False)
        streams = {'stdout': '', 'stderr': ''}
        displays = []
        for m in msgs:
            if m['msg_type'] == 'stream':
                streams[m['content']['name']] = streams.get(m['content']['name'], '') + m['content']['text']
            elif m['msg_type'] in ('display_data', 'execute_result'):
                displays.append(sorted(m['content']['data'].keys()))
        print(json.dumps({'cell': k, 'name': cell.get('name', ''), 'status': reply['content']['status'],
                          'stdout': streams['stdout'], 'stderr': streams['stderr'], 'displays': displays,
                          'seconds': round(time.time() - t0, 2)}), flush=True)


def check_messages(kc):
    problems, figures = [], {}

    def kinds(msgs):
        return [m['msg_type'] for m in outputs_of(msgs)]

    def one(msgs, kind):
        found = [m for m in msgs if m['msg_type'] == kind]
        return found[0]['content'] if found else None

    reply, msgs = run(kc, "import * as gs from 'gradscope';")
    if reply['content']['status'] != 'ok':
        return figures, ['the import cell failed: %s' % reply['content']]
    reply, msgs = run(kc, '1 + 1')
    r = one(msgs, 'execute_result')
    figures['value'] = kinds(msgs)
    if not r or r['data'].get('text/plain') != '2' or r.get('execution_count') != reply['content'].get('execution_count'):
        problems.append('1 + 1: expected an execute_result "2" with the reply\'s count, got %s' % [m['content'] for m in outputs_of(msgs)])
    reply, msgs = run(kc, "const n: number = 'a';", stop_on_error=False)
    e = one(msgs, 'error')
    figures['type_error'] = e and {'ename': e['ename'], 'evalue': e['evalue']}
    if not e or e['ename'] != 'TSError' or '1:7' not in e['evalue'] or reply['content'].get('status') != 'error' or reply['content'].get('ename') != 'TSError':
        problems.append('type error: expected an error output and reply with ename TSError at 1:7, got %s / %s' % (e, reply['content']))
    if any(m['msg_type'] == 'stream' and m['content']['name'] == 'stderr' for m in msgs):
        problems.append('type error: also printed to stderr (tools would see it twice)')
    code = "function f(): never {\n  throw new TypeError('boom');\n}\nconst y = 2;\nf();"
    reply, msgs = run(kc, code, stop_on_error=False)
    e = one(msgs, 'error')
    figures['throw'] = e and {'ename': e['ename'], 'traceback': e['traceback']}
    tb = '\n'.join(e['traceback']) if e else ''
    if not e or e['ename'] != 'TypeError' or e['evalue'] != 'boom':
        problems.append('throw: expected ename TypeError, evalue boom, got %s' % e)
    elif 'line 2' not in tb or 'line 5' not in tb or 'tslab' in tb or 'evalmachine' in tb:
        problems.append('throw: the traceback must show cell lines 2 and 5 and no tslab frames: %s' % tb)
    reply, msgs = run(kc, 'gs.mlp({ sizes: [2, -1] });', stop_on_error=False)
    e = one(msgs, 'error')
    figures['gradscope_error'] = e and {'ename': e['ename'], 'evalue': e['evalue']}
    if not e or e['ename'] != 'GradscopeError' or 'sizes' not in e['evalue']:
        problems.append('bad call: expected ename GradscopeError naming sizes, got %s' % e)
    reply, msgs = run(kc, 'gs.charts.deepLinear(gs.deepLinear({ depth: 10, scale: 1.1 }))')
    r = one(msgs, 'execute_result')
    figures['chart'] = r and sorted(r['data'])
    if not r or not {'application/vnd.vegalite.v5+json', 'image/png', 'text/plain'} <= set(r['data']) or 'text/html' in r['data'] \
            or not isinstance(r['data']['application/vnd.vegalite.v5+json'], dict) or not r['metadata'].get('image/png', {}).get('width'):
        problems.append('chart as last expression: expected an execute_result with the Vega-Lite object, the PNG with its width and text, no HTML; got %s' % (r and {k: r[k] for k in ('metadata',)}, ))
    code = ("const net = gs.mlp({ sizes: [3, 4, 1], seed: 1 });\n"
            "const X = gs.tf.tensor2d([[1, 2, 3], [0, -1, 2]]);\nconst Y = gs.tf.tensor2d([[1], [0]]);\n"
            "gs.gradCheck(net, X, Y)")
    reply, msgs = run(kc, code)
    figures['report'] = kinds(msgs)
    html = [m for m in msgs if m['msg_type'] == 'display_data' and 'text/html' in m['content']['data']]
    r = one(msgs, 'execute_result')
    if not html or not r or 'application/vnd.vegalite.v5+json' not in r['data'] or msgs.index(html[0]) > msgs.index([m for m in msgs if m['msg_type'] == 'execute_result'][0]):
        problems.append('report as last expression: expected its table (display_data, HTML) then its chart (execute_result), got %s' % kinds(msgs))
    reply, msgs = run(kc, 'undefined')
    if one(msgs, 'execute_result'):
        problems.append('undefined: expected no execute_result')
    return figures, problems


def main():
    kernel, workdir = sys.argv[1], sys.argv[2]
    checks = sys.argv[3:]
    if checks and checks[0] == 'cells':
        km, kc = start_new_kernel(kernel_name=kernel, cwd=workdir, startup_timeout=TIMEOUT)
        try:
            run_cells(kc, checks[1])
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        return
    kernel_checks = [c for c in checks if c != 'lines']
    if kernel_checks:
        km, kc = start_new_kernel(kernel_name=kernel, cwd=workdir, startup_timeout=TIMEOUT)
        try:
            for c in kernel_checks:
                t0 = time.time()
                try:
                    figures, problems = globals()['check_' + c](kc)
                except Exception as e:  # noqa: BLE001
                    figures, problems = {}, ['%s: %s' % (type(e).__name__, e)]
                figures['seconds'] = figures.get('seconds', round(time.time() - t0, 2))
                print(json.dumps({'check': c, 'ok': not problems, 'figures': figures, 'problems': problems}), flush=True)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    if 'lines' in checks:
        try:
            figures, problems = check_lines(kernel, workdir)
        except Exception as e:  # noqa: BLE001
            figures, problems = {}, ['%s: %s' % (type(e).__name__, str(e)[-800:])]
        print(json.dumps({'check': 'lines', 'ok': not problems, 'figures': figures, 'problems': problems}), flush=True)


if __name__ == '__main__':
    main()
