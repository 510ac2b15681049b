// Where the copy worker runs. A running container: the worker joins only its user
// namespace (stage 0's join with CLONE_NEWUSER alone) and stays in the host's mount
// namespace, so it sees host paths as they are and the container's files through
// /proc/PID/root — including the container's volumes and binds — with root's
// capabilities over every mapped id. A stopped container: a fresh user namespace with
// podman's mapping and a private mount namespace in which the helper mounts the
// container's overlay (image layers under its writable layer) on its `merged` dir,
// the way the build worker mounts its root.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RrunError } from '../../oci/errors.js';
import { CLONE, MS, type LaunchPlan } from '../../helpers/protocol.js';
import type { IdMapping } from '../../helpers/idmap.js';
import { packageRoot } from '../../helpers/package-root.js';
import { layerDirs, type StorePaths } from '../../storage/paths.js';
import { mountOps } from '../build/worker.js';
import { launch } from '../runtime/launch.js';
import type { OverlayMode } from '../runtime/rootfs.js';
import { COPY_FAILURE } from './job.js';

export type CopyPlace =
  | { kind: 'running'; pid: number }
  | { kind: 'stopped'; paths: StorePaths; layer: string; mode: OverlayMode }
  /** No container: host paths only (chown of a volume or a bind source). */
  | { kind: 'host' };

function workerProcess(jobFile: string, node: string): LaunchPlan['process'] {
  return {
    argv: [node, join(packageRoot(), 'dist', 'src', 'copy', 'worker-main.js'), jobFile],
    env: ['PATH=/usr/bin:/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], setgroups: false, noNewPrivs: true,
  };
}

/** The container layer's lower directories (`lower`: `l/<link>:…`, nearest first). */
function lowersOf(paths: StorePaths, layer: string): string[] {
  const text = readFileSync(layerDirs(paths, layer).lower, 'utf8').trim();
  return text === '' ? [] : text.split(':').map((l) => `${paths.driverHome}/${l}`);
}

/** The plan and the container root the worker will see. */
export function copyPlan(place: CopyPlace, jobFile: string, node = process.execPath): { plan: LaunchPlan; root: string } {
  if (place.kind === 'running') {
    return {
      plan: { namespaces: CLONE.NEWUSER, ops: [], process: workerProcess(jobFile, node), stage0: { join: place.pid } },
      root: `/proc/${place.pid}/root`,
    };
  }
  if (place.kind === 'host') {
    return { plan: { namespaces: CLONE.NEWUSER | CLONE.NEWNS | CLONE.NEWPID, ops: [], process: workerProcess(jobFile, node) }, root: '/' };
  }
  const dirs = layerDirs(place.paths, place.layer);
  const mount = { lowers: lowersOf(place.paths, place.layer), upper: dirs.diff, work: dirs.work, target: dirs.merged };
  return {
    plan: {
      namespaces: CLONE.NEWUSER | CLONE.NEWNS | CLONE.NEWPID,
      ops: [{ op: 'mount', source: null, target: '/', fstype: null, flags: MS.REC | MS.PRIVATE, data: null }, ...mountOps(mount, place.mode)],
      process: workerProcess(jobFile, node),
    },
    root: dirs.merged,
  };
}

function failure(tail: string, exitCode: number): RrunError {
  const line = tail.split('\n').reverse().find((l) => l.startsWith(COPY_FAILURE));
  if (line === undefined) {
    return new RrunError({ code: 'ERR_CP_WORKER', message: `the copy worker exited with ${exitCode}: ${tail.trim().split('\n').slice(-3).join('; ')}` });
  }
  const p = JSON.parse(line.slice(COPY_FAILURE.length)) as { message: string; code?: string; hint?: string };
  return new RrunError({ code: p.code?.startsWith('ERR_') ? p.code : 'ERR_CP', message: p.message, ...(p.hint ? { hint: p.hint } : {}) });
}

/** Runs the worker; stdin/stdout are rrun's own (the `-` tar streams). */
export async function runCopyWorker(plan: LaunchPlan, idmap: IdMapping): Promise<void> {
  let tail: () => string = () => '';
  const r = await launch(plan, {
    idmap, stdio: ['inherit', 'inherit', 'pipe'], forwardSignals: false,
    onStart: (h) => {
      tail = () => h.stderrTail();
    },
  });
  if (r.exitCode !== 0) throw failure(tail(), r.exitCode);
}
