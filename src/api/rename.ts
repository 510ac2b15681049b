// `rrun rename CONTAINER NEWNAME` for rrun's containers: the name in containers.json
// (under the containers lock; unique across every container of the store, podman's
// included) and in the saved request when it carries one.
import { RrunError } from '../../oci/errors.js';
import { withLocks } from '../../storage/lockfile.js';
import { storePaths } from '../../storage/paths.js';
import { containerSchema, type ContainerRecord } from '../../storage/records.js';
import { updateRecordFile } from '../../storage/record-file.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { findContainer, writeConfig } from './container-store.js';

const validName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export async function renameContainer(nameOrId: string, newName: string, o: GlobalOptions = {}, ctx?: Context): Promise<string> {
  if (!validName.test(newName)) {
    throw new RrunError({
      code: 'ERR_INVALID_NAME',
      message: 'names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument',
      subject: newName,
    });
  }
  const context = ctx ?? (await createContext(o));
  const c = await findContainer(context, nameOrId);
  if (c.name === newName) return c.id;
  const paths = storePaths(context.storage);
  await withLocks([{ path: paths.containersLock, mode: 'write' }], async ([lock]) => {
    await updateRecordFile<ContainerRecord>(lock!, paths.containersJson, containerSchema, (all) => {
      if (all.some((r) => r.id !== c.id && (r.names ?? []).includes(newName))) {
        throw new RrunError({
          code: 'ERR_NAME_IN_USE',
          message: `renaming container ${c.id}: name ${newName} already in use, cannot rename container ${c.id}: container already exists`,
          subject: newName,
          hint: 'choose another name, or remove the container that has it',
        });
      }
      return all.map((r) => (r.id === c.id ? { ...r, names: [newName, ...(r.names ?? []).slice(1)] } : r));
    });
    if (c.config?.request.name !== undefined) writeConfig(c.userdata, { ...c.config, request: { ...c.config.request, name: newName } });
  });
  return c.id;
}
