#!/usr/bin/env python3
"""Writes the lesson notebooks, their reference solutions and the index.

The lessons are plain data here so that a lesson and its solution can never
drift apart: the solution is the same notebook with each exercise cell's code
replaced by a solution. Run from the repository root:

    python3 lessons/tools/build_lessons.py

then check them with `npx slowmo check lessons/*.ipynb lessons/solutions/*.ipynb`.
"""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from lesson_data import LESSONS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cell_id(name, i, kind):
    return hashlib.sha1(f'{name}/{i}/{kind}'.encode()).hexdigest()[:12]


def lines(text):
    text = text.strip('\n') + '\n' if text.strip() else ''
    out = text.splitlines(keepends=True)
    if out and out[-1].endswith('\n'):
        out[-1] = out[-1][:-1]
    return out


def markdown(name, i, text):
    return {'cell_type': 'markdown', 'id': cell_id(name, i, 'md'), 'metadata': {}, 'source': lines(text)}


def tabs(code):
    out = []
    for line in code.split('\n'):
        stripped = line.lstrip(' ')
        out.append('\t' * ((len(line) - len(stripped)) // 4) + stripped)
    return '\n'.join(out)


def slowmo_cell(name, i, code, meta, role):
    code = tabs(code)
    slowmo = {'backend': 'auto', 'mode': 'record'}
    slowmo.update({k: v for k, v in meta.items() if k != 'checkpoints'})
    slowmo['checkpoints'] = meta.get('checkpoints', [])
    return {
        'cell_type': 'code',
        'execution_count': None,
        'id': cell_id(name, i, 'code'),
        'metadata': {'slowmo': slowmo, 'tags': [role]},
        'outputs': [],
        'source': lines(code),
    }


def notebook(cells):
    return {
        'cells': cells,
        'metadata': {
            'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'},
            'language_info': {'name': 'python'},
        },
        'nbformat': 4,
        'nbformat_minor': 5,
    }


def build(lesson, solution):
    name = lesson['name']
    cells = []
    for i, part in enumerate(lesson['cells']):
        kind = part[0]
        if kind == 'md':
            cells.append(markdown(name, i, part[1]))
        elif kind == 'example':
            cells.append(slowmo_cell(name, i, part[1], part[2], 'example'))
        elif kind == 'exercise':
            _, starter, sol, meta = part
            cells.append(slowmo_cell(name, i, sol if solution else starter, meta, 'exercise'))
        else:
            raise ValueError(kind)
    return notebook(cells)


def write(path, nb):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write('\n')


def index():
    items = '\n'.join(
        f"{n}. [{l['title']}]({l['name']}.ipynb): {l['blurb']}" for n, l in enumerate(LESSONS, 1)
    )
    text = f"""# The Go scheduler, step by step

These lessons show how Go runs goroutines. Each one teaches one idea. You read a little, run a
Go-slowmo cell, and look at the picture it draws: the Ps (processors) with the M (thread) that
holds each one, the goroutine G it runs, its runnext slot and its local run queue, the global run
queue, and the goroutines that wait, grouped by why they wait.

Work through them in order:

{items}

**How you see your progress.** A cell with checkpoints lists them under its picture after it
runs: ✔ for a checkpoint you passed, ✘ for one you did not, with the reason and a hint. The
worked examples pass already. The exercises start with ✘: change the code until every line is ✔.
The results are saved in the notebook, so you (and your teacher) can see them later.

**Before you start.** Run a cell with Shift+Enter. The picture is recorded at full speed and
replayed slowly: use the timeline to pause, step one event at a time, or jump to the next event
of a kind (for example the next steal).
"""
    return notebook([markdown('00-index', 0, text)])


def main():
    os.makedirs(os.path.join(ROOT, 'solutions'), exist_ok=True)
    for lesson in LESSONS:
        write(os.path.join(ROOT, lesson['name'] + '.ipynb'), build(lesson, False))
        write(os.path.join(ROOT, 'solutions', lesson['name'] + '.ipynb'), build(lesson, True))
    write(os.path.join(ROOT, '00-index.ipynb'), index())


if __name__ == '__main__':
    main()
