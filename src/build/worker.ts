// Launching build-worker-main.ts as root in a user namespace with podman's mapping, the
// overlays it needs mounted by the helper first (the build root: image layers below a
// fresh upper directory; other stages read-only), like src/image/pull-extract.ts does
// for extraction. Returns the staged diff the worker printed.
import { readFileSync, writeFileSync } from 'node:fs';
import { RrunError } from '../../oci/errors.js';
import { MS, type LaunchPlan, type SetupOp } from '../../helpers/protocol.js';
import type { IdMapping } from '../../helpers/idmap.js';
import type { StagedDiff } from '../../storage/layer-create-stage.js';
import { launch } from '../runtime/launch.js';
import { nodeTaskArgv, usernsTaskPlan } from '../runtime/userns-task.js';
import type { OverlayMode } from '../runtime/rootfs.js';
import { WORKER_FAILURE, type WorkerJob } from './worker-job.js';

export interface OverlayMount {
  /** Lower directories, top first. */
  lowers: string[];
  upper?: string | undefined;
  work?: string | undefined;
  target: string;
}

export function mountOps(m: OverlayMount, mode: OverlayMode): SetupOp[] {
  const rw = m.upper !== undefined && m.work !== undefined;
  const data = [`lowerdir=${m.lowers.join(':')}`, ...(rw ? [`upperdir=${m.upper}`, `workdir=${m.work}`] : [])];
  if (mode.kind === 'fuse') return [{ op: 'exec-wait', argv: [mode.program, '-o', data.join(','), m.target] }];
  return [{ op: 'mount', source: 'overlay', target: m.target, fstype: 'overlay', flags: rw ? 0 : MS.RDONLY, data: [...data, 'userxattr'].join(',') }];
}

export function workerPlan(jobFile: string, mounts: readonly OverlayMount[], mode: OverlayMode, node = process.execPath): LaunchPlan {
  return usernsTaskPlan(nodeTaskArgv('src/build/worker-main.js', [jobFile], node), mounts.flatMap((m) => mountOps(m, mode)));
}

function failure(tail: string, exitCode: number): RrunError {
  const line = tail.split('\n').reverse().find((l) => l.startsWith(WORKER_FAILURE));
  if (line === undefined) {
    return new RrunError({ code: 'ERR_BUILD_WORKER', message: `the build's file worker exited with ${exitCode}: ${tail.trim().split('\n').slice(-3).join('; ')}` });
  }
  const p = JSON.parse(line.slice(WORKER_FAILURE.length)) as { message: string; code?: string; hint?: string };
  return new RrunError({ code: p.code?.startsWith('ERR_') ? p.code : 'ERR_BUILD_WORKER', message: p.message, ...(p.hint ? { hint: p.hint } : {}) });
}

export async function runWorker(job: WorkerJob, jobFile: string, mounts: readonly OverlayMount[], mode: OverlayMode, idmap: IdMapping): Promise<StagedDiff> {
  writeFileSync(jobFile, JSON.stringify(job), { mode: 0o600 });
  let tail: () => string = () => '';
  const r = await launch(workerPlan(jobFile, mounts, mode), {
    idmap, stdio: ['ignore', 'ignore', 'pipe'], forwardSignals: false,
    onStart: (h) => {
      tail = () => h.stderrTail();
    },
  });
  if (r.exitCode !== 0) throw failure(tail(), r.exitCode);
  return JSON.parse(readFileSync(`${jobFile}.out`, 'utf8')) as StagedDiff;
}
