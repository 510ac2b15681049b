// `rrun top CONTAINER [ps options]`: `ps` run inside the running container through an
// exec session, so it sees the container's pid namespace. podman's own descriptors
// (USER PID PPID %CPU ELAPSED TTY TIME COMMAND, read from /proc on the host) are out of
// scope: the arguments go to the image's `ps` as they are (busybox `ps -o` defaults
// when none are given).
import { RrunError } from '../../oci/errors.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { findContainer } from './container-store.js';
import { exec } from './exec.js';

/** Runs `ps psArgs…` in the container, its output on our stdout; ps's exit code. */
export async function top(nameOrId: string, psArgs: readonly string[] = [], o: GlobalOptions = {}, ctx?: Context): Promise<number> {
  const context = ctx ?? (await createContext(o));
  const c = await findContainer(context, nameOrId).catch((err: unknown) => {
    if (!(err instanceof RrunError) || err.code !== 'ERR_NO_SUCH_CONTAINER') throw err;
    throw new RrunError({ code: err.code, message: `unable to look up requested container: ${err.message}`, subject: nameOrId, hint: err.hint });
  });
  if (c.state.status !== 'running') {
    throw new RrunError({
      code: 'ERR_CONTAINER_STATE',
      message: 'top can only be used on running containers',
      subject: c.id,
      hint: `start it first: \`rrun start ${c.name}\``,
    });
  }
  return (await exec(c.id, ['ps', ...psArgs], {}, context)).exitCode;
}
