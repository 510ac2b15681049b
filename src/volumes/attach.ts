// Named and anonymous volumes in `run`/`create`: the image's VOLUMEs become anonymous
// volumes (unless a mount covers them), volumes are created on first use, sources
// point at their `_data`, and a volume's first mount copies the image's content at
// the mount point into it (podman's copy-up) and gives it the directory's owner and
// mode — or the container user's ownership when the image has nothing there.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IdMapping } from '../../helpers/idmap.js';
import { newRandomId, nowRfc3339Nano } from '../../storage/containers.js';
import { mkdirp } from '../../storage/mkdirp.js';
import type { ChownJob, VolumeInitJob } from '../copy/job.js';
import { copyPlan, runCopyWorker, type CopyPlace } from '../copy/launch.js';
import type { VolumeRequest } from '../runtime/request.js';
import {
  createVolumeDirs, readVolume, volumeDirExists, volumePaths, withVolumesLock, writeVolume, type VolumeRecord,
} from './store.js';

export function newVolumeRecord(graphRoot: string, name: string, extra: Partial<VolumeRecord> = {}): VolumeRecord {
  return {
    Name: name, Driver: 'local', Mountpoint: volumePaths(graphRoot, name).data, CreatedAt: nowRfc3339Nano(),
    Labels: {}, Scope: 'local', Options: {}, MountCount: 0, NeedsCopyUp: true, NeedsChown: true, ...extra,
  };
}

/** The image's VOLUME paths no -v/--mount/--tmpfs covers, as anonymous volumes. */
export function imageVolumes(volumes: readonly VolumeRequest[], tmpfs: readonly { destination: string }[], image: Record<string, unknown> | undefined): VolumeRequest[] {
  const taken = new Set([...volumes, ...tmpfs].map((v) => v.destination.replace(/\/+$/, '') || '/'));
  return Object.keys(image ?? {}).sort()
    .filter((d) => !taken.has(d.replace(/\/+$/, '') || '/'))
    .map((destination) => ({ source: '', destination, readonly: false, volume: { name: '', anonymous: true } }));
}

/**
 * The volumes a container uses, kept in its containers.json metadata (every rrun
 * container has a record, not all have a saved configuration): `volume rm` refuses
 * volumes in use, `rm -v` and `--rm` remove the anonymous ones.
 */
export function volumeMetadata(volumes: readonly VolumeRequest[]): { 'rrun-volumes'?: { name: string; anonymous: boolean }[] } {
  const used = volumes.flatMap((v) => (v.volume !== undefined ? [{ ...v.volume }] : []));
  return used.length > 0 ? { 'rrun-volumes': used } : {};
}

/** A volume to initialise on this container's first start. */
export interface FirstUse {
  request: VolumeRequest;
  record: VolumeRecord;
}

function isEmpty(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/**
 * Names anonymous volumes, creates missing ones, points every volume request at its
 * `_data` (in place: the saved request keeps the names). Returns those needing a first use.
 */
export async function attachVolumes(graphRoot: string, volumes: VolumeRequest[], dryRun: boolean): Promise<FirstUse[]> {
  const named = volumes.filter((v) => v.volume !== undefined);
  for (const v of named) {
    if (v.volume !== undefined && v.volume.name === '') v.volume.name = newRandomId();
    v.source = volumePaths(graphRoot, v.volume?.name ?? '').data;
  }
  if (dryRun || named.length === 0) return [];
  return withVolumesLock(graphRoot, () => named.flatMap((v): FirstUse[] => {
    const name = v.volume?.name ?? '';
    let record = readVolume(graphRoot, name);
    if (record === undefined && volumeDirExists(graphRoot, name)) return []; // podman's own volume
    if (record === undefined) {
      record = newVolumeRecord(graphRoot, name, v.volume?.anonymous ? { Anonymous: true } : {});
      createVolumeDirs(graphRoot, record);
    }
    return record.NeedsCopyUp || record.NeedsChown ? [{ request: v, record }] : [];
  }));
}

async function runJob(runRoot: string, where: CopyPlace, job: (root: string) => VolumeInitJob | ChownJob, idmap: IdMapping): Promise<void> {
  mkdirp(`${runRoot}/rrun`);
  const jobFile = `${runRoot}/rrun/volume-job-${process.pid}-${newRandomId().slice(0, 8)}.json`;
  const { plan, root } = copyPlan(where, jobFile);
  writeFileSync(jobFile, JSON.stringify(job(root)), { mode: 0o600 });
  try {
    await runCopyWorker(plan, idmap);
  } finally {
    rmSync(jobFile, { force: true });
  }
}

/** First use of each volume, in the container's (not yet started) root. */
export async function initVolumes(
  graphRoot: string, runRoot: string, uses: readonly FirstUse[], where: CopyPlace, owner: { uid: number; gid: number }, idmap: IdMapping,
): Promise<void> {
  for (const { request, record } of uses) {
    const copyUp = record.NeedsCopyUp === true && !request.noCopy && isEmpty(request.source);
    await runJob(runRoot, where, (root) => ({ kind: 'volume-init', root, containerPath: request.destination, data: request.source, copyUp, owner }), idmap);
    await withVolumesLock(graphRoot, () => {
      const now = readVolume(graphRoot, record.Name);
      if (now !== undefined) writeVolume(graphRoot, { ...now, NeedsCopyUp: false, NeedsChown: false });
    });
  }
}

/** `:U` on every start: the source tree belongs to the container's user. */
export async function chownSources(runRoot: string, volumes: readonly VolumeRequest[], owner: { uid: number; gid: number }, idmap: IdMapping): Promise<void> {
  for (const v of volumes.filter((x) => x.chown)) {
    await runJob(runRoot, { kind: 'host' }, () => ({ kind: 'chown', path: v.source, uid: owner.uid, gid: owner.gid }), idmap);
  }
}
