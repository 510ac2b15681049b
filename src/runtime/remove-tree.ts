// Removing a directory that may hold files of subordinate ids (a container's writable
// layer). Most layers hold only the user's own files, some in read-only directories (an
// image's `/` is often 0555, and the mount points the container's setup created sit in
// it): making the user's own directories writable is enough for those. When a file or
// directory of another id is in the way, the same removal runs as root inside a
// namespace with the container's mapping, like podman's `podman unshare rm -rf`.
import { chmodSync, lstatSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RrunError, errnoCode } from '../../oci/errors.js';
import type { IdMapping } from '../../helpers/idmap.js';
import { launch } from './launch.js';
import { usernsTaskPlan } from './userns-task.js';

const refused = (err: unknown): boolean => errnoCode(err) === 'EACCES' || errnoCode(err) === 'EPERM';

/**
 * Remove `path` in one pass with this process's rights, giving the user's own directories
 * rwx on the way down (unlinking needs write permission on the parent). False when an
 * entry of another id is in the way; what was removed by then stays removed.
 */
function removeOwnTree(path: string, uid: number): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return true;
  if (!st.isDirectory()) {
    unlinkSync(path);
    return true;
  }
  if (st.uid !== uid) return false;
  if ((st.mode & 0o700) !== 0o700) chmodSync(path, (st.mode & 0o7777) | 0o700);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (!removeOwnTree(child, uid)) return false;
    } else unlinkSync(child);
  }
  rmdirSync(path);
  return true;
}

/** Remove `dir` with this process's rights; false when that is not enough. */
function removeAsOwner(dir: string): boolean {
  try {
    return removeOwnTree(dir, process.getuid?.() ?? -1);
  } catch (err) {
    if (refused(err)) return false;
    throw err;
  }
}

export async function removeTreeInUserns(dir: string, idmap: IdMapping): Promise<void> {
  if (removeAsOwner(dir)) return;
  const result = await launch(usernsTaskPlan(['/bin/rm', '-rf', '--', dir]), { idmap, stdio: ['ignore', 'ignore', 'inherit'], forwardSignals: false });
  if (result.exitCode !== 0) {
    throw new RrunError({
      code: 'ERR_REMOVE_TREE',
      message: `cannot remove ${dir}: rm exited with ${result.exitCode} in the user namespace`,
      subject: dir,
      hint: `remove it with \`podman unshare rm -rf ${dir}\``,
    });
  }
}
