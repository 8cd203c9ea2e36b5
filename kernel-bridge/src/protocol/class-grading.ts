/**
 * Grading a class over HTTP, what the extension's teacher panel asks of the
 * bridge: `POST /api/class` sends a class folder's notebooks (their text: the
 * bridge reads no folder named in a request), `GET /api/class/:id` says how
 * far the grading is and, once done, the grades as `slowmo check --class`
 * writes them; `DELETE /api/class/:id` stops it. The server and the
 * extension both read these messages with these schemas.
 */
import { z } from 'zod';
import { BACKEND_CHOICES } from './messages';

/** Notebooks one request may carry: a large course's hand-in, not a whole drive. */
export const CLASS_MAX_NOTEBOOKS = 2000;
/** The request's size in bytes (the notebooks' text; the extension leaves their outputs out). */
export const CLASS_MAX_BYTES = 64 * 1024 * 1024;

/** A path inside the class folder: names joined by '/', none empty, '.' or '..'. */
const RelativePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.split('/').every((n) => n !== '' && n !== '.' && n !== '..'), {
    message: "a path inside the class folder: names joined by '/', none empty, '.' or '..'",
  });

export const ClassRequestSchema = z
  .object({
    /** The class folder as the teacher named it: the report's name, never opened. */
    name: z.string().min(1).max(4096),
    /** Its top-level folders: one per learner in nbgrader's and otter's layouts. */
    folders: z.array(RelativePath).max(CLASS_MAX_NOTEBOOKS),
    /** Every notebook under it, with its text as the file holds it (malformed ones too). */
    notebooks: z
      .array(z.object({ path: RelativePath, content: z.string() }).strict())
      .max(CLASS_MAX_NOTEBOOKS),
    backend: z.enum(BACKEND_CHOICES).optional(),
  })
  .strict();
export type ClassRequest = z.infer<typeof ClassRequestSchema>;

/** One learner's checkpoint, prediction or problem: a line of the CSV, a testcase of the JUnit XML. */
export const GradeRowSchema = z.object({
  learner: z.string(),
  /** Relative to the class folder; '' when the learner handed none in. */
  notebook: z.string(),
  /** 1-based; 0 for the notebook as a whole. */
  cell: z.number().int(),
  checkpoint: z.string(),
  title: z.string(),
  kind: z.enum(['checkpoint', 'prediction', 'problem']),
  /** passed/failed for a checkpoint; a prediction's own status; problem for what could not be read. */
  status: z.enum(['passed', 'failed', 'right', 'wrong', 'answered', 'unanswered', 'problem']),
  /** A prediction's first answer. */
  answer: z.string(),
  reason: z.string(),
});
export type GradeRow = z.infer<typeof GradeRowSchema>;
export type RowStatus = GradeRow['status'];

const MissedSchema = z.object({
  checkpoint: z.string(),
  title: z.string(),
  /** How many rows say it (one per learner and notebook). */
  learners: z.number().int(),
});

export const ClassGradesSchema = z.object({
  learners: z.array(z.object({ learner: z.string(), passed: z.boolean() })),
  rows: z.array(GradeRowSchema),
  /** The most missed checkpoints, the most first. */
  missed: z.array(MissedSchema),
  /** The most common wrong answers to predictions, the most first. */
  wrong: z.array(MissedSchema.extend({ answer: z.string() })),
  /** The files `slowmo check --class` writes, with the names it gives them. */
  csv: z.object({ name: z.string(), text: z.string() }),
  junit: z.object({ name: z.string(), text: z.string() }),
});
export type ClassGrades = z.infer<typeof ClassGradesSchema>;

/** How far a class's grading is. */
export const ClassJobSchema = z.object({
  id: z.string(),
  /** Learners in the class. */
  total: z.number().int(),
  graded: z.number().int(),
  /** Being graded now. */
  grading: z.array(z.string()),
  /** Runs waiting for the bridge (everyone's, this class's included). */
  queued: z.number().int(),
  done: z.boolean(),
  /** Why the grading stopped short. */
  error: z.string().optional(),
  grades: ClassGradesSchema.optional(),
});
export type ClassJob = z.infer<typeof ClassJobSchema>;

export function parseClassJob(json: unknown): ClassJob {
  return ClassJobSchema.parse(json);
}
