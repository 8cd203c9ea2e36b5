/**
 * `/api/class` over a real socket with real runs: a small class sent as the
 * teacher panel sends it (nbgrader and flat layouts, a passing learner, a
 * wrong prediction, a file that is not JSON, a folder with no notebook),
 * graded to the rows, summaries and files `slowmo check --class` writes;
 * and what it refuses: paths out of the folder, unknown fields, a second
 * class while one is graded.
 */
import type { BridgeServer } from '../src/server/app';
import { gradesCsv } from '../src/class-report';
import { parseClassJob, type ClassJob, type ClassRequest } from '../src/protocol';
import { ebpfDescribe, startTestBridge } from './support/bridge';
import { homeworkNotebook } from './support/homework';

jest.setTimeout(180_000);

const CLASS: ClassRequest = {
  name: 'course/submitted',
  folders: ['ann', 'dan'],
  notebooks: [
    { path: 'ann/hw1/hw1.ipynb', content: homeworkNotebook(3, '3') },
    { path: 'bob.ipynb', content: homeworkNotebook(2, '3') },
    { path: 'cat.ipynb', content: '{"cells": [' },
    { path: '.ipynb_checkpoints/x.ipynb', content: '{}' },
  ],
};

async function post(server: BridgeServer, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/class`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function poll(server: BridgeServer, id: string): Promise<ClassJob[]> {
  const seen: ClassJob[] = [];
  for (;;) {
    const r = await fetch(`${server.url}/api/class/${id}`);
    expect(r.status).toBe(200);
    const job = parseClassJob(await r.json());
    seen.push(job);
    if (job.done) return seen;
    await new Promise((res) => setTimeout(res, 200));
  }
}

ebpfDescribe()('/api/class', () => {
  let server: BridgeServer;
  let first: ClassJob;
  let seen: ClassJob[];
  let posted: number;
  let again: { status: number; message: string };

  beforeAll(async () => {
    server = await startTestBridge({ parallel: 2 });
    const r = await post(server, CLASS);
    posted = r.status;
    first = parseClassJob(await r.json());
    const second = await post(server, CLASS);
    again = {
      status: second.status,
      message: ((await second.json()) as { message: string }).message,
    };
    seen = await poll(server, first.id);
  });

  afterAll(async () => {
    await server?.close();
  });

  test('it counts the learners as the layouts say, and the progress goes up to them', () => {
    expect(posted).toBe(202);
    expect(first.total).toBe(4);
    expect(first.done).toBe(false);
    const graded = seen.map((j) => j.graded);
    expect(graded).toEqual([...graded].sort((a, b) => a - b));
    const last = seen.at(-1) as ClassJob;
    expect(last).toMatchObject({ total: 4, graded: 4, grading: [], done: true });
    expect(last.error).toBeUndefined();
  });

  test('the rows, summaries and files are those of slowmo check --class', () => {
    const g = (seen.at(-1) as ClassJob).grades!;
    expect(g.learners).toEqual([
      { learner: 'ann', passed: true },
      { learner: 'bob', passed: false },
      { learner: 'cat', passed: false },
      { learner: 'dan', passed: false },
    ]);
    expect(
      g.rows.map((r) => [r.learner, r.notebook, r.cell, r.checkpoint, r.status, r.answer]),
    ).toEqual([
      ['ann', 'ann/hw1/hw1.ipynb', 1, 'three', 'passed', ''],
      ['ann', 'ann/hw1/hw1.ipynb', 1, 'how-many', 'right', '3'],
      ['bob', 'bob.ipynb', 1, 'three', 'failed', ''],
      ['bob', 'bob.ipynb', 1, 'how-many', 'wrong', '3'],
      ['cat', 'cat.ipynb', 0, '', 'problem', ''],
      ['dan', '', 0, '', 'problem', ''],
    ]);
    expect(g.rows[4]!.reason).toMatch(/^cannot read it as a notebook: /);
    expect(g.rows[5]!.reason).toBe('no notebook handed in');
    expect(g.missed).toEqual([{ checkpoint: 'three', title: 'three goroutines', learners: 1 }]);
    expect(g.wrong).toEqual([
      { checkpoint: 'how-many', title: 'how many goroutines', answer: '3', learners: 1 },
    ]);
    expect(g.csv).toEqual({ name: 'submitted-grades.csv', text: gradesCsv(g.rows) });
    expect(g.junit.name).toBe('submitted-junit.xml');
    expect(g.junit.text).toContain(
      '<testsuites name="course/submitted" tests="6" failures="2" errors="2" skipped="0">',
    );
  });

  test('while it grades, a second class waits its turn', () => {
    expect(again.status).toBe(429);
    expect(again.message).toContain('another class');
  });

  test('DELETE stops a grading: no learner begins after it, and it ends without grades', async () => {
    const r = await post(server, CLASS);
    expect(r.status).toBe(202);
    const { id } = parseClassJob(await r.json());
    const del = await fetch(`${server.url}/api/class/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    const last = (await poll(server, id)).at(-1) as ClassJob;
    expect(last.error).toBe('stopped');
    expect(last.grades).toBeUndefined();
    expect(last.graded).toBeLessThan(4);
  });

  test('it refuses a path out of the folder, a field it does not know, and an unknown job', async () => {
    const out = await post(server, {
      ...CLASS,
      notebooks: [{ path: '../etc/x.ipynb', content: '{}' }],
    });
    expect(out.status).toBe(400);
    expect(((await out.json()) as { message: string }).message).toMatch(/^notebooks\[0\]\.path: /);
    const extra = await post(server, { ...CLASS, dir: '/etc' });
    expect(extra.status).toBe(400);
    expect((await fetch(`${server.url}/api/class/nope`)).status).toBe(404);
  });
});
