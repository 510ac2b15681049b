// rrun's containers: the containers.json records whose metadata says `created-by: rrun`,
// each with its saved configuration (userdata/rrun.json) and its runtime state. podman's
// own containers live in libpod's database and are not listed here.
import { readFileSync } from 'node:fs';
import { RrunError, errnoCode } from '../../oci/errors.js';
import type { RuntimeSpec } from '../../oci/runtime.js';
import { atomicWriteFile } from '../../storage/atomic.js';
import { containerDirs, deleteContainer } from '../../storage/containers.js';
import { storePaths } from '../../storage/paths.js';
import type { ContainerRecord } from '../../storage/records.js';
import { readSnapshot } from '../../storage/store.js';
import { configKey, imageConfig } from '../image/catalog.js';
import type { Context, GlobalOptions } from '../context.js';
import { removeTreeInUserns } from '../runtime/remove-tree.js';
import type { RunRequest } from '../runtime/request.js';
import { observe, removeState, stateFiles, stateRoot, type ContainerState, type StateFiles } from '../runtime/state.js';
import { processUserMapping } from '../../helpers/idmap.js';
import { stopRecordedHelper } from '../runtime/network.js';

/** What create/run decided, kept so start, exec, inspect and cleanup need not decide again. */
export interface ContainerConfig {
  request: RunRequest;
  /** podman's global options the container was made with (for the exit command). */
  globals: Pick<GlobalOptions, 'root' | 'runRoot' | 'storageDriver' | 'storageOpts'>;
  tty: boolean;
  stopSignal: string;
  stopTimeout: number;
  spec: RuntimeSpec;
  /** Host network namespace or a private one (exec joins it only when private). */
  privateNetwork: boolean;
}

export interface RrunContainer {
  id: string;
  name: string;
  record: ContainerRecord;
  /** The image's first name (`localhost/busybox:latest`), or its id. */
  imageName: string;
  imageId: string;
  created: string;
  config: ContainerConfig | undefined;
  files: StateFiles;
  state: ContainerState;
  userdata: string;
  logPath: string;
}

function metadataOf(record: ContainerRecord): Record<string, unknown> {
  try {
    const m: unknown = JSON.parse(record.metadata ?? '{}');
    return typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function configPath(userdata: string): string {
  return `${userdata}/rrun.json`;
}

export function readConfig(userdata: string): ContainerConfig | undefined {
  try {
    return JSON.parse(readFileSync(configPath(userdata), 'utf8')) as ContainerConfig;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export function writeConfig(userdata: string, config: ContainerConfig): void {
  atomicWriteFile(configPath(userdata), `${JSON.stringify(config)}\n`);
}

/** Every container rrun made, oldest first, with its state as observed now. */
export async function listContainers(ctx: Context): Promise<RrunContainer[]> {
  const snap = await readSnapshot(ctx.storage, { containers: true });
  const paths = storePaths(ctx.storage);
  const root = stateRoot(ctx.env);
  const out: RrunContainer[] = [];
  for (const record of snap.containers) {
    const meta = metadataOf(record);
    if (meta['created-by'] !== 'rrun') continue;
    const imageId = record.image ?? '';
    const image = snap.images.find((i) => i.id === imageId);
    const userdata = containerDirs(paths, record.id).userdata;
    const files = stateFiles(root, record.id);
    out.push({
      id: record.id,
      name: record.names?.[0] ?? '',
      record,
      imageName: image?.names?.[0] ?? (typeof meta['image-name'] === 'string' ? meta['image-name'] : imageId),
      imageId,
      created: record.created ?? '',
      config: readConfig(userdata),
      files,
      state: observe(files),
      userdata,
      logPath: `${userdata}/ctr.log`,
    });
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

export function noSuchContainer(nameOrId: string): RrunError {
  return new RrunError({
    code: 'ERR_NO_SUCH_CONTAINER',
    message: `no container with name or ID "${nameOrId}" found: no such container`,
    subject: nameOrId,
    hint: 'see `rrun ps -a` for the containers rrun knows',
  });
}

/** podman's lookup: an exact name, a full id, or an unambiguous id prefix. */
export function pickContainer<T extends { id: string; name: string }>(all: readonly T[], nameOrId: string): T {
  const exact = all.find((c) => c.name === nameOrId || c.id === nameOrId);
  if (exact) return exact;
  const byPrefix = nameOrId.length > 0 ? all.filter((c) => c.id.startsWith(nameOrId)) : [];
  if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
  if (byPrefix.length > 1) {
    throw new RrunError({
      code: 'ERR_AMBIGUOUS_CONTAINER',
      message: `more than one result for container ID "${nameOrId}": container already exists`,
      subject: nameOrId,
      hint: 'give more characters of the id, or the name',
    });
  }
  throw noSuchContainer(nameOrId);
}

export async function findContainer(ctx: Context, nameOrId: string): Promise<RrunContainer> {
  return pickContainer(await listContainers(ctx), nameOrId);
}

/** The record, the writable layer, the directories and the runtime state. */
export async function removeContainerFiles(ctx: Context, c: RrunContainer): Promise<void> {
  const idmap = processUserMapping(c.config?.request.singleIdMap ?? false);
  stopRecordedHelper(c.state.network); // a monitor killed by SIGKILL never ran cleanup
  await deleteContainer(ctx.storage, c.id, (dir) => removeTreeInUserns(dir, idmap));
  removeState(c.files);
}

/** The image's StopSignal (podman's default SIGTERM), as a signal name. */
export async function stopSignalOf(ctx: Context, containerId: string): Promise<string> {
  const snap = await readSnapshot(ctx.storage, { containers: true, imageBigData: (i) => [configKey(i)] });
  const imageId = snap.containers.find((c) => c.id === containerId)?.image;
  const image = snap.images.find((i) => i.id === imageId);
  const sig = image ? imageConfig(snap, image)?.config?.StopSignal : undefined;
  if (sig === undefined || sig === '') return 'SIGTERM';
  return /^\d+$/.test(sig) ? sig : `SIG${sig.toUpperCase().replace(/^SIG/, '')}`;
}

export function stateFilesOf(ctx: Context, id: string): StateFiles {
  return stateFiles(stateRoot(ctx.env), id);
}
