/**
 * What a learner is told when a build is refused or stopped for a reason of
 * this server rather than an error in their Go: what happened, why, and how
 * to write the program so that it builds here.
 */
import type { Diagnostic } from './protocol';

const MiB = 1024 * 1024;

/** `2048` for 2 GiB: plain division (a shift would overflow 32 bits at 2 GiB). */
function mib(bytes: number): string {
  const n = bytes / MiB;
  return n >= 10 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}

const MAKE_HINT =
  'large arrays with initial values are stored whole in the binary; allocate them at run time with make (big := make([]byte, 200<<20))';

/** The build made a binary over the size limit. */
export function binaryTooLarge(bytes: number, limitBytes: number): string {
  return `your program's binary is ${mib(bytes)} MiB; the limit here is ${mib(limitBytes)} MiB: ${MAKE_HINT}`;
}

/** The linker ran out of room for the binary before it was done (it never reached the limit check). */
export function binaryOutOfRoom(limitBytes: number): string {
  return `your program's binary is too large to build here: it did not fit in the space a build has, and the limit is ${mib(limitBytes)} MiB: ${MAKE_HINT}`;
}

/** Whether `go build` failed because the linker could not write the binary for its size. */
export function linkerOutOfRoom(output: string): boolean {
  return /\blink: .*(no space left on device|file too large|file size limit exceeded)/i.test(
    output,
  );
}

export function buildOutOfMemory(limitBytes: number): string {
  return `the build ran out of memory (limit ${mib(limitBytes)} MiB): very large literals or many generic instantiations make the compiler use a lot; make the program smaller`;
}

export const CGO_UNAVAILABLE =
  'cgo is not available here: programs are built without a C compiler (CGO_ENABLED=0), so a file that imports "C" is left out of the build; remove import "C" and write the program in Go only';

/**
 * The first `import "C"` in the sources, alone or in an import block. With
 * cgo off, Go silently leaves such a file out, and the learner would see
 * confusing errors about what it defined ("undefined: ...", "no Go files").
 */
export function cgoImport(files: Record<string, string>): Diagnostic | undefined {
  for (const [file, text] of Object.entries(files)) {
    if (!file.endsWith('.go')) continue;
    let inBlock = false;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const at = inBlock
        ? /^(\s*(?:[\w.]+\s+)?)"C"\s*(?:\/\/.*)?$/.exec(line)
        : /^(\s*import\s+(?:[\w.]+\s+)?)"C"/.exec(line);
      if (at) return { file, line: i + 1, column: at[1]!.length + 1, message: CGO_UNAVAILABLE };
      if (!inBlock && /^\s*import\s*\(/.test(line)) inBlock = true;
      else if (inBlock && /^\s*\)/.test(line)) inBlock = false;
    }
  }
  return undefined;
}

const CGO_RACE =
  'cgo is not available here: a race build compiles only the Go runtime with cgo, and an import of "C" is refused; write the program in Go only';

/**
 * An import of "C" in any spelling Go accepts, for a race build, which has cgo on: the file's
 * import section (everything before its first declaration), comments taken out, holds the
 * path "C" or `C`. A line-by-line reading such as cgoImport's could miss
 * `import ("fmt"; "C")`, and with cgo on a missed one would compile the learner's C.
 */
export function cgoImportAnywhere(files: Record<string, string>): Diagnostic | undefined {
  for (const [file, text] of Object.entries(files)) {
    if (!file.endsWith('.go')) continue;
    const decl = /^(func|var|const|type)\b/m.exec(text);
    const head = text
      .slice(0, decl ? decl.index : text.length)
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/\/\/[^\n]*/g, '');
    const at = /["`]C["`]/.exec(head);
    if (!at) continue;
    const line = head.slice(0, at.index).split('\n').length;
    return { file, line, column: 0, message: CGO_RACE };
  }
  return undefined;
}
