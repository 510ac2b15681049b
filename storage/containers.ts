// Containers in podman's store, created the way buildah creates them (§7, §12.3): a
// writable layer on the image's top layer and a containers.json record, so
// `podman ps --external` lists them and podman refuses to remove their image.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from './random.js';
import { RrunError, errnoCode } from '../oci/errors.js';
import { withLocks } from './lockfile.js';
import { mkdirp } from './mkdirp.js';
import type { StorageOptions } from './options.js';
import { storePaths, type StorePaths } from './paths.js';
import { loadRecordFile, updateRecordFile } from './record-file.js';
import { containerSchema, imageSchema, layerSchema, type ContainerRecord, type ImageRecord, type LayerRecord } from './records.js';
import { createLayerDirs, removeLayerDirs } from './layer-dirs.js';

/** c/storage's random id: 64 hex digits whose 12-digit prefix is not all decimal. */
export function newRandomId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (!/^\d{12}/.test(id)) return id;
  }
}

/** Go's RFC3339Nano in UTC: trailing zeros of the fraction trimmed. */
export function nowRfc3339Nano(now: bigint = process.hrtime.bigint(), wall = Date.now()): string {
  const nanos = (wall % 1000) * 1_000_000 + Number(now % 1_000_000n);
  const fraction = nanos.toString().padStart(9, '0').replace(/0+$/, '');
  return `${utcSeconds(Math.floor(wall / 1000))}${fraction ? `.${fraction}` : ''}Z`;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `YYYY-MM-DDTHH:MM:SS` in UTC for seconds since the epoch, by arithmetic (the civil date
 * of a day number, as in H. Hinnant's date algorithms): a first Date object costs ~0.2 ms
 * on the start-up path of `rrun run`.
 */
export function utcSeconds(epochSeconds: number): string {
  const days = Math.floor(epochSeconds / 86400);
  const secs = epochSeconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hh)}:${two(mm)}:${two(secs % 60)}`;
}

export interface NewContainer {
  imageId: string;
  /** The image's top layer (undefined for an image without layers). */
  topLayer: string | undefined;
  /** The name, or a generator of random names tried until one is free. */
  name: string | (() => string);
  /** podman-style metadata JSON string; `{name}` in it is replaced by the chosen name. */
  metadata: (name: string) => string;
  /** The id, chosen by the caller beforehand (rrun run starts its helper before the record exists). */
  id?: string | undefined;
}

export interface ContainerDirs {
  /** `overlay-containers/<id>/userdata` under graphroot. */
  userdata: string;
  /** `overlay-containers/<id>/userdata` under runroot (gone at reboot). */
  rundata: string;
}

export function containerDirs(paths: StorePaths, id: string): ContainerDirs {
  return {
    userdata: `${paths.containersDir}/${id}/userdata`,
    rundata: `${paths.runRoot}/overlay-containers/${id}/userdata`,
  };
}

function nameInUse(name: string, owner: ContainerRecord): RrunError {
  return new RrunError({
    code: 'ERR_NAME_IN_USE',
    message: `the container name "${name}" is already in use by ${owner.id}. You have to remove that container to be able to reuse that name: that name is already in use`,
    subject: name,
    hint: `remove it (\`rrun rm ${name}\`) or choose another --name`,
  });
}

/**
 * Register a container and create its writable layer. Lock order: layers (W) →
 * images (R) → containers (W), all held until both records and directories exist.
 */
export async function createContainer(options: StorageOptions, req: NewContainer): Promise<ContainerRecord> {
  const paths = storePaths(options);
  makeDir(paths.layersDir, 'graphroot', paths.graphRoot);
  makeDir(paths.containersDir, 'graphroot', paths.graphRoot);
  const locks = [
    { path: paths.layersLock, mode: 'write' as const },
    { path: paths.imagesLock, mode: 'read' as const },
    { path: paths.containersLock, mode: 'write' as const },
  ];
  return withLocks(locks, async ([layersLock, , containersLock]) => {
    const images = await loadRecordFile<ImageRecord>(paths.imagesJson, imageSchema);
    if (!images.some((i) => i.id === req.imageId)) {
      throw new RrunError({ code: 'ERR_IMAGE_NOT_FOUND', message: `${req.imageId}: image not known`, subject: req.imageId });
    }
    const containers = await loadRecordFile<ContainerRecord>(paths.containersJson, containerSchema);
    const name = chooseName(containers, req.name);
    if (req.id !== undefined && containers.some((c) => c.id === req.id)) {
      throw new RrunError({ code: 'ERR_CONTAINER_EXISTS', message: `the container ID ${req.id} is already in use`, subject: req.id });
    }

    const layerId = newRandomId();
    const containerId = req.id ?? newRandomId();
    const created = nowRfc3339Nano();
    const layer: LayerRecord = { id: layerId, ...(req.topLayer ? { parent: req.topLayer } : {}), created, flags: { incomplete: true } };
    await updateRecordFile<LayerRecord>(layersLock!, paths.layersJson, layerSchema, (all) => [...all, layer]);
    try {
      createLayerDirs(paths, layerId, req.topLayer);
      const record: ContainerRecord = {
        id: containerId,
        names: [name],
        image: req.imageId,
        layer: layerId,
        metadata: req.metadata(name),
        created,
        flags: { MountLabel: '', ProcessLabel: '' },
      };
      const dirs = containerDirs(paths, record.id);
      makeDir(dirs.userdata, 'graphroot', paths.graphRoot);
      makeDir(dirs.rundata, 'runroot', paths.runRoot);
      await updateRecordFile<ContainerRecord>(containersLock!, paths.containersJson, containerSchema, (all) => [...all, record]);
      await updateRecordFile<LayerRecord>(layersLock!, paths.layersJson, layerSchema, (all) =>
        all.map((l) => (l.id === layerId ? withoutIncomplete(l) : l)),
      );
      return record;
    } catch (err) {
      // Undo under the same lock hold: nothing half-made may outlive this call, not even
      // the container's directories when the runroot refused its half.
      removeContainerDirs(paths, containerId);
      await removeLayerDirs(paths, layerId, async (dir) => rmSync(dir, { recursive: true, force: true }));
      await updateRecordFile<LayerRecord>(layersLock!, paths.layersJson, layerSchema, (all) => all.filter((l) => l.id !== layerId));
      throw err;
    }
  });
}

/** mkdir -p, with an error that names the root it is under and how to fix it. */
export function makeDir(dir: string, what: 'graphroot' | 'runroot', root: string): void {
  try {
    mkdirp(dir);
  } catch (err) {
    throw new RrunError({
      code: what === 'runroot' ? 'ERR_RUNROOT' : 'ERR_GRAPHROOT',
      message: `cannot create ${dir} in the ${what} ${root}: ${errnoCode(err) ?? String(err)}`,
      subject: root,
      hint: `make ${root} a directory you own and can write (or choose another with --${what === 'runroot' ? 'runroot' : 'root'})`,
      cause: err,
    });
  }
}

function chooseName(containers: readonly ContainerRecord[], wanted: NewContainer['name']): string {
  const owner = (n: string): ContainerRecord | undefined => containers.find((c) => c.names?.includes(n));
  if (typeof wanted === 'string') {
    const o = owner(wanted);
    if (o !== undefined) throw nameInUse(wanted, o);
    return wanted;
  }
  for (let i = 0; i < 1000; i++) {
    const n = wanted();
    if (owner(n) === undefined) return n;
  }
  throw new RrunError({ code: 'ERR_NAME_IN_USE', message: 'could not find a free random container name', hint: 'give one with --name' });
}

function withoutIncomplete(layer: LayerRecord): LayerRecord {
  const { flags, ...rest } = layer;
  const { incomplete: _incomplete, ...other } = flags ?? {};
  return Object.keys(other).length > 0 ? { ...rest, flags: other } : rest;
}

/**
 * Remove a container's record, its writable layer and its directories. `removeTree`
 * must be able to delete files owned by subordinate ids (it runs in the user namespace).
 */
export async function deleteContainer(
  options: StorageOptions,
  id: string,
  removeTree: (dir: string) => Promise<void>,
): Promise<void> {
  const paths = storePaths(options);
  const locks = [
    { path: paths.layersLock, mode: 'write' as const },
    { path: paths.containersLock, mode: 'write' as const },
  ];
  await withLocks(locks, async ([layersLock, containersLock]) => {
    const containers = await loadRecordFile<ContainerRecord>(paths.containersJson, containerSchema);
    const record = containers.find((c) => c.id === id);
    if (record === undefined) return;
    // c/storage's order: the layer (directories, then record), then the container record,
    // so an interrupted removal leaves records that a retry can finish.
    if (record.layer) {
      await removeLayerDirs(paths, record.layer, removeTree);
      await updateRecordFile<LayerRecord>(layersLock!, paths.layersJson, layerSchema, (all) => all.filter((l) => l.id !== record.layer));
    }
    await updateRecordFile<ContainerRecord>(containersLock!, paths.containersJson, containerSchema, (all) => all.filter((c) => c.id !== id));
    removeContainerDirs(paths, id);
  });
}

/** `overlay-containers/<id>/` under graphroot and under runroot (only the user's own files). */
function removeContainerDirs(paths: StorePaths, id: string): void {
  const dirs = containerDirs(paths, id);
  for (const dir of [dirs.userdata, dirs.rundata]) rmSync(dirname(dir), { recursive: true, force: true });
}
