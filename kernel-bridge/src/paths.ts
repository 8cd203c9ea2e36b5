/**
 * Where the bridge's package and the repository are, found from this file
 * whether it runs compiled (dist/src) or from source (tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function up(from: string, has: (dir: string) => boolean): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (has(dir)) return dir;
    if (dir === path.dirname(dir))
      throw new Error(`cannot find the kernel-bridge package above ${from}`);
  }
}

/** The kernel-bridge package's directory. */
export const PACKAGE_DIR = up(__dirname, (d) => {
  const file = path.join(d, 'package.json');
  return (
    existsSync(file) &&
    (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name ===
      '@go-slowmo/kernel-bridge'
  );
});

/** The repository's root (kernel-bridge's parent). */
export const REPO_DIR = path.dirname(PACKAGE_DIR);

export const VERSION: string = (
  JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }
).version;
