// What the runtime itself leaves in a RUN container's upper directory: mount points it
// created (/proc, /dev, /sys), the bind targets of the generated /etc files and
// /run/.containerenv, the /etc/mtab link. buildah removes the ones it created after the
// run; we leave them out of the layer when the image below did not have them and they
// are still what the runtime made (an empty file or directory, a link).
import { lstatSync, readdirSync } from 'node:fs';

export const RUNTIME_PATHS = [
  'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab', 'run/.containerenv',
  'proc', 'sys', 'dev', 'run', 'etc',
] as const;

function lstat(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** The runtime's artefacts in `upper` (relative paths), given the image's layer dirs. */
export function runtimeArtefacts(upper: string, lowers: readonly string[]): string[] {
  const out: string[] = [];
  for (const rel of RUNTIME_PATHS) {
    const st = lstat(`${upper}/${rel}`);
    if (st === undefined || lowers.some((l) => lstat(`${l}/${rel}`) !== undefined)) continue;
    if (st.isDirectory()) {
      const left = readdirSync(`${upper}/${rel}`).filter((n) => !out.includes(`${rel}/${n}`));
      // /dev is a tmpfs during the run: what the upper dir has of it are the mount points.
      if (left.length === 0 || (rel === 'dev' && left.every((n) => isEmptyish(`${upper}/dev/${n}`)))) out.push(rel);
    } else if ((st.isFile() && st.size === 0) || st.isSymbolicLink()) out.push(rel);
  }
  return out;
}

function isEmptyish(path: string): boolean {
  const st = lstat(path);
  if (st === undefined) return true;
  if (st.isDirectory()) return readdirSync(path).length === 0;
  return st.isSymbolicLink() || (st.isFile() && st.size === 0);
}
