// Removing a directory that may hold files of subordinate ids (a container's writable
// layer): outside the user namespace the user cannot delete them, so when a plain
// removal is refused the same removal runs as root inside a namespace with the
// container's mapping, like podman's `podman unshare rm -rf`.
import { rmSync } from 'node:fs';
import { RrunError, errnoCode } from '../../oci/errors.js';
import type { IdMapping } from '../../helpers/idmap.js';
import { launch } from './launch.js';
import { usernsTaskPlan } from './userns-task.js';

export async function removeTreeInUserns(dir: string, idmap: IdMapping): Promise<void> {
  try {
    rmSync(dir, { recursive: true, force: true });
    return;
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
  }
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
