// The installed rrun package's root directory, found by walking up from this module:
// the same code runs from dist/helpers/ (library) and from the CLI bundle in dist/cli/,
// so relative paths to package files cannot be fixed at build time.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rrun') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`rrun: cannot find the package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
