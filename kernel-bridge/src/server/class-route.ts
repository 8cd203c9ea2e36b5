/**
 * `/api/class`: the teacher panel's grading (protocol/class-grading.ts).
 * The notebooks come in the request's body, never from a path on this
 * machine; they are graded as `slowmo check --class` grades a folder
 * (class.ts: the same layouts, the same learners at once within the
 * bridge's `parallel`, each cell a run through the bridge's queue) and
 * written as it writes them (class-report.ts). The panel polls the job.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Bridge } from '../bridge';
import { gradeSubmissions, submissions } from '../class';
import {
  commonWrongPredictions,
  gradeRows,
  gradesCsv,
  gradesJunit,
  mostMissed,
} from '../class-report';
import {
  CLASS_MAX_BYTES,
  ClassJobSchema,
  ClassRequestSchema,
  formatPath,
  type ClassGrades,
  type ClassJob,
  type ClassRequest,
} from '../protocol';

/** How long a finished grading is kept for the panel to fetch. */
const KEEP_MS = 10 * 60_000;
/** Classes graded at once: each already takes every slot of the queue it can. */
const AT_ONCE = 1;

const JOB_SCHEMA = z.toJSONSchema(ClassJobSchema, { target: 'draft-7' });
const ERROR_SCHEMA = z.toJSONSchema(z.object({ error: z.string(), message: z.string() }), {
  target: 'draft-7',
});

interface Job {
  id: string;
  total: number;
  graded: number;
  grading: Set<string>;
  done: boolean;
  error?: string;
  grades?: ClassGrades;
  abort: AbortController;
  /** Settles when the grading is over (it never rejects: a failure is the job's error). */
  finished: Promise<void>;
}

let jobs = 0;

function grades(req: ClassRequest, report: Parameters<typeof gradeRows>[0]): ClassGrades {
  const rows = gradeRows(report);
  const base = path.posix.basename(req.name.replace(/\/+$/, '')) || 'class';
  return {
    learners: report.learners.map((l) => ({ learner: l.learner, passed: l.passed })),
    rows,
    missed: mostMissed(rows),
    wrong: commonWrongPredictions(rows),
    csv: { name: `${base}-grades.csv`, text: gradesCsv(rows) },
    junit: { name: `${base}-junit.xml`, text: gradesJunit(report, rows) },
  };
}

function start(bridge: Bridge, req: ClassRequest, log: FastifyInstance['log']): Job {
  const byPath = new Map(req.notebooks.map((n) => [n.path, n.content]));
  const todo = submissions({
    folders: req.folders,
    notebooks: req.notebooks.map((n) => ({ path: n.path, read: () => byPath.get(n.path) ?? '' })),
  });
  const job: Job = {
    id: `class-${++jobs}-${Date.now().toString(36)}`,
    total: todo.length,
    graded: 0,
    grading: new Set(),
    done: false,
    abort: new AbortController(),
    finished: Promise.resolve(),
  };
  const backend = req.backend ? { backend: req.backend } : {};
  job.finished = gradeSubmissions(bridge, req.name, todo, {
    ...backend,
    signal: job.abort.signal,
    onStart: (learner) => job.grading.add(learner),
    onLearner: (l) => {
      job.grading.delete(l.learner);
      job.graded++;
    },
  })
    .then((report) => {
      if (job.abort.signal.aborted) job.error = 'stopped';
      else job.grades = grades(req, report);
    })
    .catch((err: unknown) => {
      log.error({ err }, 'class grading failed');
      job.error = `the grading failed: ${(err as Error).message}`;
    })
    .finally(() => {
      job.done = true;
    });
  return job;
}

/** The job as the protocol says it (the queue read now). */
function view(bridge: Bridge, job: Job): ClassJob {
  return {
    id: job.id,
    total: job.total,
    graded: job.graded,
    grading: [...job.grading],
    queued: bridge.queue.queued,
    done: job.done,
    ...(job.error ? { error: job.error } : {}),
    ...(job.grades ? { grades: job.grades } : {}),
  };
}

export function classRoutes(app: FastifyInstance, bridge: Bridge): void {
  const running = new Map<string, Job>();
  const forget = (job: Job) => setTimeout(() => running.delete(job.id), KEEP_MS).unref();

  app.post(
    '/api/class',
    {
      bodyLimit: CLASS_MAX_BYTES,
      schema: { response: { 202: JOB_SCHEMA, 400: ERROR_SCHEMA, 429: ERROR_SCHEMA } },
    },
    async (request, reply) => {
      const parsed = ClassRequestSchema.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue ? formatPath(issue.path) : '';
        return reply
          .code(400)
          .send({ error: 'invalid', message: `${where}: ${issue?.message ?? 'invalid'}` });
      }
      const busy = [...running.values()].filter((j) => !j.done).length;
      if (busy >= AT_ONCE)
        return reply.code(429).send({
          error: 'busy',
          message: 'the bridge is grading another class; try again when it is done',
        });
      const job = start(bridge, parsed.data, app.log);
      running.set(job.id, job);
      void job.finished.then(() => forget(job));
      return reply.code(202).send(view(bridge, job));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/class/:id',
    { schema: { response: { 200: JOB_SCHEMA, 404: ERROR_SCHEMA } } },
    async (request, reply) => {
      const job = running.get(request.params.id);
      if (!job) return reply.code(404).send({ error: 'not-found', message: 'no such grading' });
      return view(bridge, job);
    },
  );

  app.delete<{ Params: { id: string } }>('/api/class/:id', async (request, reply) => {
    const job = running.get(request.params.id);
    if (!job) return reply.code(404).send({ error: 'not-found', message: 'no such grading' });
    job.abort.abort();
    return reply.code(204).send();
  });

  app.addHook('onClose', async () => {
    for (const job of running.values()) job.abort.abort();
    await Promise.all([...running.values()].map((j) => j.finished));
  });
}
