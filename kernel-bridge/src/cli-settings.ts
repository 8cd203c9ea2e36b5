/**
 * The run settings a command line lists (`--procs 1,2,4`, `--go 1.22,1.27`),
 * read the same way by `slowmo explore` (any number of values) and `slowmo
 * diff` (exactly two), and the schedule perturbations (`--perturb 26:yield`)
 * of `slowmo run` and `explore`: each value checked, the flag named in the error.
 * `fail` throws the caller's own usage error, which its command prints.
 */
import { GoVersionSchema, parsePerturbSpec, PERTURB_MAX, type Perturbation } from './protocol';

type Fail = (message: string) => never;

/** The flag's comma-separated values, none empty. */
export function listOf(flag: string, value: string, fail: Fail): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) fail(`${flag} ${value}: give a list like ${flag} 1,4`);
  return items;
}

/** GOMAXPROCS values: whole numbers from 1 to 64. */
export function procsOf(value: string, fail: Fail, flag = '--procs'): number[] {
  return listOf(flag, value, fail).map((s) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || n < 1 || n > 64)
      fail(`${flag} ${value}: each GOMAXPROCS is a whole number from 1 to 64`);
    return n;
  });
}

/** Go versions as the run request takes them (1.26, go1.26.8). */
export function goVersionsOf(value: string, fail: Fail, flag = '--go'): string[] {
  const items = listOf(flag, value, fail);
  for (const v of items)
    if (!GoVersionSchema.safeParse(v).success)
      fail(`${flag} ${value}: "${v}" is not a Go version (say 1.26 or go1.26.8)`);
  return items;
}

/** `--perturb` specs, each `[FILE:]LINE[:yield|:sleep=D]`, for the files given (the first by default). */
export function perturbationsOf(
  specs: readonly string[],
  files: Record<string, string>,
  fail: Fail,
): Perturbation[] {
  if (specs.length > PERTURB_MAX) fail(`--perturb: at most ${PERTURB_MAX} lines`);
  const names = Object.keys(files);
  return specs.map((spec) => {
    let p: Perturbation | undefined;
    try {
      p = parsePerturbSpec(spec, names[0] ?? 'main.go');
    } catch (err) {
      fail(`--perturb ${(err as Error).message}`);
    }
    const at = p as Perturbation;
    if (!(at.file in files))
      fail(`--perturb ${spec}: ${at.file} is not one of the files given (${names.join(', ')})`);
    return at;
  });
}
