import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../helpers/package-root.js';

/** The version in rrun's package.json. */
export function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
