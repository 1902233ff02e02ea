"""Writes each executed notebook as HTML with nbconvert's HTMLExporter (what `jupyter nbconvert
--to html` writes: charts as their PNG, opens offline): one Python process for a whole batch of
`gradscope grade` (src/cli/grade.ts).

    python3 scripts/notebooks-html.py LIST.json

LIST.json is [[notebook.ipynb, page.html], ...]. Prints one JSON line: {"written": n, "failed": [[notebook, error], ...]}.
"""
import json
import os
import sys

import nbformat
from nbconvert import HTMLExporter


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        pairs = json.load(f)
    exporter = HTMLExporter()
    written, failed = 0, []
    for src, out in pairs:
        try:
            nb = nbformat.read(src, as_version=4)
            html, _ = exporter.from_notebook_node(nb)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, 'w', encoding='utf-8') as f:
                f.write(html)
            written += 1
        except Exception as e:  # one broken page never stops the others
            failed.append([src, '%s: %s' % (type(e).__name__, str(e)[:300])])
    print(json.dumps({'written': written, 'failed': failed}))


if __name__ == '__main__':
    main()
