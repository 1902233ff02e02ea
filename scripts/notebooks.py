"""Executes one notebook with nbconvert's ExecutePreprocessor (what `jupyter nbconvert --execute`
runs) and exports it to HTML with nbconvert's HTMLExporter. Driven by `gradscope export`
(src/cli/export.ts) and the checkout's scripts/notebooks.ts.

    python3 scripts/notebooks.py IN.ipynb OUT.ipynb OUT.html KERNEL TIMEOUT [--allow-errors]

Stops at the first failing cell, unless --allow-errors (then every cell runs, and "failedCells"
lists those with an error output). The gradscope kernel reports a failing cell as execute_reply status
"error" with an iopub `error` output (ename: the error's class, e.g. GradscopeError; evalue: its
message), as ipykernel does; older launchers wrote the message (a TypeScript diagnostic or the
stack) to the cell's stderr stream instead, so both are collected here. Prints one JSON line:
{"ok", "seconds", "cells": [...], "error": {...}}; the error has the failing cell (1-based), its
first line, the exception's kind, a message, and the cell's `errors` ({ename, evalue} of each error
output) and `stderr` text separately, for callers that check which error it was
(scripts/notebooks.ts expects a homework template's check cell to fail with GradscopeError).
"""
import json
import os
import sys
import time

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ''


def html_exporter():
    """nbconvert's HTML exporter as `jupyter nbconvert --to html` uses it, unchanged: what the
    exported pages show is what a user's own plain export shows."""
    return HTMLExporter()


def main():
    src, out_nb, out_html, kernel, timeout = sys.argv[1:6]
    allow_errors = '--allow-errors' in sys.argv[6:]
    nb = nbformat.read(src, as_version=4)
    cells = []
    state = {'start': 0.0, 'index': -1}

    def on_start(cell, cell_index):
        state['start'] = time.time()
        state['index'] = cell_index

    def on_executed(cell, cell_index, execute_reply):
        cells.append({'index': cell_index, 'seconds': round(time.time() - state['start'], 3),
                      'status': execute_reply['content'].get('status')})

    ep = ExecutePreprocessor(timeout=int(timeout), kernel_name=kernel, startup_timeout=120, allow_errors=allow_errors)
    ep.on_cell_start = on_start
    ep.on_cell_executed = on_executed
    t0 = time.time()
    error = None
    try:
        ep.preprocess(nb, {'metadata': {'path': os.path.dirname(os.path.abspath(src))}})
    except BaseException as e:  # CellExecutionError, CellTimeoutError, DeadKernelError, ...
        i = state['index']
        cell = nb.cells[i] if 0 <= i < len(nb.cells) else None
        stderr, errors = '', []
        if cell is not None:
            stderr = ''.join(o.get('text', '') for o in cell.get('outputs', [])
                             if o.get('output_type') == 'stream' and o.get('name') == 'stderr')
            errors = [{'ename': o.get('ename', ''), 'evalue': o.get('evalue', '')}
                      for o in cell.get('outputs', []) if o.get('output_type') == 'error']
        message = stderr + ''.join('%s: %s\n' % (x['ename'], x['evalue']) for x in errors)
        code_number = sum(1 for c in nb.cells[:i + 1] if c.cell_type == 'code')
        error = {
            'cell': i + 1,
            'codeCell': code_number,
            'firstLine': first_line(cell.source) if cell is not None else '',
            'kind': type(e).__name__,
            'message': message.strip() or str(e).strip()[-2000:],
            'errors': errors,
            'stderr': stderr,
        }
    seconds = round(time.time() - t0, 2)
    failed = [{'cell': k + 1, 'ename': o.get('ename', ''), 'evalue': o.get('evalue', '')}
              for k, c in enumerate(nb.cells) for o in c.get('outputs', []) if o.get('output_type') == 'error']
    os.makedirs(os.path.dirname(out_nb), exist_ok=True)
    nbformat.write(nb, out_nb)
    html, _ = html_exporter().from_notebook_node(nb)
    os.makedirs(os.path.dirname(out_html), exist_ok=True)
    with open(out_html, 'w', encoding='utf-8') as f:
        f.write(html)
    print(json.dumps({'ok': error is None, 'seconds': seconds, 'cells': cells, 'error': error, 'failedCells': failed}))


if __name__ == '__main__':
    main()
