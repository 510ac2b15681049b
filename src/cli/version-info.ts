import { readFileSync } from 'node:fs';

/** The version in rrun's package.json (three levels above dist/src/cli). */
export function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
