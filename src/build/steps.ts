// The two ways a build step makes a layer. RUN: a container of the current image run by
// src/api/run.ts (network, user, workdir, env as podman build gives them), then its
// writable layer's upper directory diffed by the worker. COPY/ADD: the worker itself,
// with the helper having mounted the image's layers under a fresh upper directory (and
// a `--from` stage read-only), copies and diffs. Both give a staged layer.
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { RrunError } from '../../oci/errors.js';
import type { IdMapping } from '../../helpers/idmap.js';
import { deleteContainer } from '../../storage/containers.js';
import { layerDirs, type StorePaths } from '../../storage/paths.js';
import { loadRecordFile } from '../../storage/record-file.js';
import { containerSchema, type ContainerRecord, type LayerRecord } from '../../storage/records.js';
import type { Context } from '../context.js';
import { run } from '../api/run.js';
import { lowerLinks, type OverlayMode } from '../runtime/rootfs.js';
import type { NewLayer } from './image-commit.js';
import type { CopySpec } from './copy.js';
import { runWorker, type OverlayMount } from './worker.js';

export interface StepEnv {
  ctx: Context;
  paths: StorePaths;
  idmap: IdMapping;
  mode: OverlayMode;
  staging: string;
  whiteouts: 'overlay' | 'aufs';
  opaqueXattr: string;
  network: string | undefined;
  removeTree: (dir: string) => Promise<void>;
}

function newFiles(env: StepEnv): { stagingDir: string; tarSplitFile: string; base: string } {
  const base = `${env.staging}/${randomBytes(8).toString('hex')}`;
  return { base, stagingDir: `${base}.d`, tarSplitFile: `${base}.tar-split.gz` };
}

export interface RunStep {
  imageId: string;
  argv: string[];
  env: string[];
  user: string | undefined;
  workdir: string | undefined;
  /** Layer ids of the image, base first. */
  chain: string[];
  what: string;
}

export async function runStep(env: StepEnv, s: RunStep): Promise<NewLayer> {
  const r = await run({
    image: s.imageId, pull: 'never', command: s.argv, entrypoint: [''], env: s.env,
    ...(s.user ? { user: s.user } : {}), workdir: s.workdir || '/',
    ...(env.network !== undefined ? { network: env.network } : {}),
    remove: false, stdio: ['ignore', 'inherit', 'inherit'],
  }, env.ctx);
  try {
    if (r.exitCode !== 0) {
      throw new RrunError({
        code: 'ERR_BUILD_RUN', exitCode: 1,
        message: `${s.what}: the command exited with status ${r.exitCode}${r.signal ? ` (${r.signal})` : ''}`,
        hint: 'fix the command; the image was not written (layers of earlier steps stay cached)',
      });
    }
    const containers = await loadRecordFile<ContainerRecord>(env.paths.containersJson, containerSchema);
    const layer = containers.find((c) => c.id === r.containerId)?.layer;
    if (layer === undefined) throw new RrunError({ code: 'ERR_BUILD_RUN', message: `${s.what}: the build container ${r.containerId} disappeared` });
    const files = newFiles(env);
    const lowers = s.chain.map((id) => layerDirs(env.paths, id).diff);
    return { ...(await runWorker({ runtimeLowers: lowers, diff: { upper: layerDirs(env.paths, layer).diff, ...jobFiles(env, files) } },
      `${files.base}.job.json`, [], env.mode, env.idmap)), ...files };
  } finally {
    await deleteContainer(env.ctx.storage, r.containerId, env.removeTree);
  }
}

function jobFiles(env: StepEnv, f: { stagingDir: string; tarSplitFile: string }): { stagingDir: string; tarSplitFile: string; whiteouts: 'overlay' | 'aufs'; opaqueXattr: string } {
  return { stagingDir: f.stagingDir, tarSplitFile: f.tarSplitFile, whiteouts: env.whiteouts, opaqueXattr: env.opaqueXattr };
}

/** Overlay lowers for a chain (top first); an empty directory stands in for no layers. */
function lowersOf(env: StepEnv, chain: readonly string[], empties: string[]): string[] {
  const links = lowerLinks(env.paths, [...chain].reverse().map((id) => ({ id }) as LayerRecord));
  return links.length > 0 ? links : empties;
}

export interface CopyStep {
  chain: string[];
  /** `--from`: the layers of the stage or image the sources come from. */
  fromChain?: string[] | undefined;
  spec: Omit<CopySpec, 'owner' | 'srcRoot'> & { srcRoot?: string; chown?: string | undefined };
}

export async function copyStep(env: StepEnv, s: CopyStep): Promise<NewLayer> {
  const files = newFiles(env);
  const dirs = { upper: `${files.base}.upper`, work: `${files.base}.work`, root: `${files.base}.root`, from: `${files.base}.from`, e1: `${files.base}.e1`, e2: `${files.base}.e2` };
  for (const d of Object.values(dirs)) mkdirSync(d, { mode: 0o700 });
  const mounts: OverlayMount[] = [{ lowers: lowersOf(env, s.chain, [dirs.e1]), upper: dirs.upper, work: dirs.work, target: dirs.root }];
  if (s.fromChain !== undefined) mounts.push({ lowers: [...lowersOf(env, s.fromChain, [dirs.e1]), dirs.e2], target: dirs.from });
  const srcRoot = s.fromChain !== undefined ? dirs.from : (s.spec.srcRoot as string);
  const staged = await runWorker({ copy: { ...s.spec, srcRoot, root: dirs.root }, diff: { upper: dirs.upper, ...jobFiles(env, files) } },
    `${files.base}.job.json`, mounts, env.mode, env.idmap);
  return { ...staged, ...files };
}
