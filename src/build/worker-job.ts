// What the build's file worker (worker-main.ts) is given and how it reports failure;
// separate from worker-main.ts so importing it never runs the worker.
import type { StageDiffJob } from '../../storage/layer-create-stage.js';
import type { CopySpec } from './copy.js';

export const WORKER_FAILURE = 'rrun-build-worker: ';

export interface WorkerJob {
  copy?: (Omit<CopySpec, 'owner'> & { root: string; chown?: string | undefined }) | undefined;
  diff: StageDiffJob;
  /** A RUN's image layers: the runtime's own mount points are left out of the diff. */
  runtimeLowers?: string[] | undefined;
}
