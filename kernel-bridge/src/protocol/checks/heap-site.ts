/**
 * A heap check's `site`: where the learner's code allocated an object. Recordings made before
 * the probes named inlined functions (DWARF's inlined subroutines; both backends now do) say an
 * allocation in a function the compiler inlined into main as `main.main` with the inlined
 * function's line. A site's `fn` therefore goes by the program's source when the check has it
 * (the lines of that function's body, for a function of the one file a lesson cell holds), and
 * by the recorded name otherwise.
 */
import { z } from 'zod';
import { baseName } from '../words';
import type { TrackedObject } from './heap-history';

export const HeapSiteSchema = z
  .object({
    /** `main.build`: a function of package main (any package without the source). */
    fn: z.string().min(1).optional(),
    line: z.number().int().min(1).optional(),
    /** Matches by its last path parts: `main.go`. */
    file: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => s.fn !== undefined || s.line !== undefined, {
    message: 'a site names a function (fn) or a line',
  });
export type HeapSite = z.infer<typeof HeapSiteSchema>;

/** The lines of `func name(` through its closing brace (gofmt'ed code), 1-based; null if absent. */
export function functionLines(source: string, fn: string): [number, number] | null {
  const name = fn.replace(/^main\./, '');
  const lines = source.split('\n');
  const head = new RegExp(`^func (?:\\([^)]*\\)\\s*)?${name.replace(/\W/g, '\\$&')}\\s*[[(]`);
  const start = lines.findIndex((l) => head.test(l));
  if (start < 0) return null;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('}'));
  return [start + 1, end < 0 ? lines.length : end + 1];
}

/** Allocated by the program's own code (the runtime's and the standard library's files are absolute paths). */
export const isLearners = (o: TrackedObject): boolean =>
  o.file !== undefined && o.line !== undefined && !o.file.startsWith('/');

/** Whether an object was allocated at the site; `source` as checks/index.ts's CheckContext has it. */
export function siteMatcher(
  site: HeapSite | undefined,
  source?: string,
): (o: TrackedObject) => boolean {
  if (!site) return () => true;
  const span = site.fn !== undefined && source ? functionLines(source, site.fn) : null;
  return (o) => {
    if (span && !(isLearners(o) && o.line! >= span[0] && o.line! <= span[1])) return false;
    if (!span && site.fn !== undefined && o.fn !== site.fn) return false;
    if (site.line !== undefined && o.line !== site.line) return false;
    if (site.file === undefined) return true;
    return o.file === site.file || (o.file?.endsWith(`/${site.file}`) ?? false);
  };
}

/** "at main.go:20 in main.build", "in main.build", "at line 20". */
export function siteWords(site: HeapSite): string {
  const file = site.file ? `${baseName(site.file)}:` : 'line ';
  const at = site.line === undefined ? '' : `at ${file}${site.line}`;
  const fn = site.fn === undefined ? '' : `in ${site.fn}`;
  return [at, fn].filter(Boolean).join(' ');
}

/** "object 0xc000010000 allocated at main.go:12" (not its recorded function: see above). */
export function objectWords(o: TrackedObject): string {
  const file = o.file ? baseName(o.file) : 'line';
  const where = o.line === undefined ? '' : ` allocated at ${file}:${o.line}`;
  return `object 0x${o.addr.toString(16)}${where}`;
}
