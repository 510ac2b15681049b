// Removing a directory that may hold files of subordinate ids (a container's writable
// layer). Most layers hold only the user's own files, some in read-only directories (an
// image's `/` is often 0555, and the mount points the container's setup created sit in
// it): making the user's own directories writable is enough for those. When a file or
// directory of another id is in the way, the same removal runs as root inside a
// namespace with the container's mapping, like podman's `podman unshare rm -rf`.
import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RrunError, errnoCode } from '../../oci/errors.js';
import type { IdMapping } from '../../helpers/idmap.js';
import { launch } from './launch.js';
import { usernsTaskPlan } from './userns-task.js';

const refused = (err: unknown): boolean => errnoCode(err) === 'EACCES' || errnoCode(err) === 'EPERM';

/** Give the owner rwx on every directory of the tree; false when one belongs to someone else. */
function ownDirsWritable(dir: string, uid: number): boolean {
  const st = lstatSync(dir);
  if (!st.isDirectory()) return true;
  if (st.uid !== uid) return false;
  if ((st.mode & 0o700) !== 0o700) chmodSync(dir, (st.mode & 0o7777) | 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !ownDirsWritable(join(dir, entry.name), uid)) return false;
  }
  return true;
}

/** Remove `dir` with this process's rights; false when that is not enough. */
function removeAsOwner(dir: string): boolean {
  try {
    rmSync(dir, { recursive: true, force: true });
    return true;
  } catch (err) {
    if (!refused(err)) throw err;
  }
  try {
    if (!ownDirsWritable(dir, process.getuid?.() ?? -1)) return false;
    rmSync(dir, { recursive: true, force: true });
    return true;
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
