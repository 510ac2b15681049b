// Executing a stage plan: each stage starts from its base (an image, an earlier stage,
// or scratch), metadata instructions change the working config and add `empty_layer`
// history, RUN/COPY/ADD look for a cached intermediate image first (cache.ts) and else
// make a layer (steps.ts) and commit an unnamed intermediate image. The target stage's
// result gets the names. Errors name the file, line and instruction.
import { readSnapshot } from '../../storage/store.js';
import { RrunError } from '../../oci/errors.js';
import type { HistoryEntry, ImageConfig } from '../../oci/image.js';
import { withLocks } from '../../storage/lockfile.js';
import { addImageNames } from '../../storage/images-write.js';
import { configKey, imageConfig } from '../image/catalog.js';
import { resolveLocalImage } from '../image/local.js';
import { ensureImage } from '../image/pull-policy.js';
import { syntaxError, type Instruction } from './containerfile.js';
import { ExpandError, expandString, expandWords } from './expand.js';
import { envLookup, META, NOP, type MetaState } from './instructions.js';
import { baseOf, stageRef, type Stage, type StagePlan } from './stages.js';
import { findCached } from './cache.js';
import { commitBuilt, stagedLayer, type LayerDesc, type NewLayer } from './image-commit.js';
import { copyStep, runStep, type StepEnv } from './steps.js';
import { copyInstruction } from './copy-step.js';

export interface BuildSettings {
  file: string;
  context: string;
  ignore: string;
  buildArgs: ReadonlyMap<string, string>;
  noCache: boolean;
  log: (line: string) => void;
}

export interface StageResult {
  imageId: string | undefined;
  layers: LayerDesc[];
  config: ImageConfig;
}

interface State extends StageResult {
  meta: MetaState;
  args: Map<string, string | undefined>;
  history: HistoryEntry[];
}

const now = (): string => new Date().toISOString();

async function baseState(env: StepEnv, plan: StagePlan, stage: Stage, base: string, done: ReadonlyMap<number, StageResult>): Promise<StageResult> {
  const prior = stageRef(plan, base, stage.index);
  if (prior !== undefined) return done.get(prior.index) as StageResult;
  if (base === 'scratch') return { imageId: undefined, layers: [], config: { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] } };
  return imageState(env, base);
}

/** An image of the store (pulled first when missing) as a starting point or `--from` source. */
export async function imageState(env: StepEnv, name: string): Promise<StageResult> {
  await ensureImage(env.ctx, name, { policy: 'missing' });
  const snap = await readSnapshot(env.ctx.storage, { imageBigData: (i) => [configKey(i)] });
  const image = resolveLocalImage(env.ctx, snap, name);
  const config = imageConfig(snap, image) ?? {};
  const layers: LayerDesc[] = [];
  for (let id = image.layer; id !== undefined; id = snap.layers.get(id)?.parent) {
    const l = snap.layers.get(id);
    if (l === undefined) break;
    layers.unshift({ id, diffDigest: l['diff-digest'] ?? '', diffSize: l['diff-size'] ?? 0 });
  }
  return { imageId: image.id, layers, config };
}

function newState(r: StageResult): State {
  const rc = structuredClone(r.config.config ?? {});
  return { ...r, meta: { config: rc, shell: ['/bin/sh', '-c'], cmdSet: false }, args: new Map(), history: [...(r.config.history ?? [])] };
}

function configOf(s: State): ImageConfig {
  const { container_config: _c, container: _k, docker_version: _d, ...rest } = s.config as ImageConfig & { container?: unknown };
  return {
    ...rest, created: now(), config: s.meta.config,
    ...(s.meta.author !== undefined ? { author: s.meta.author } : {}),
    rootfs: { type: 'layers', diff_ids: s.layers.map((l) => l.diffDigest) }, history: s.history,
  };
}

function argInstruction(s: State, ins: Instruction, set: BuildSettings, globals: ReadonlyMap<string, string | undefined>): void {
  for (const w of expandWords(ins.rest, envLookup(s.meta.config, s.args))) {
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    const dflt = eq < 0 ? globals.get(name) : w.slice(eq + 1);
    s.args.set(name, set.buildArgs.get(name) ?? dflt);
  }
}

/** The env of a RUN: the image's ENV plus the ARGs in scope that ENV does not shadow. */
function runEnv(s: State): { env: string[]; prefix: string } {
  const env = [...(s.meta.config.Env ?? [])];
  const names = new Set(env.map((e) => e.split('=', 1)[0]));
  const args = [...s.args].filter((a): a is [string, string] => a[1] !== undefined && !names.has(a[0]));
  // Docker's history form `|N k=v … cmd` makes build-arg values part of the cache key.
  return { env: [...env, ...args.map(([k, v]) => `${k}=${v}`)], prefix: args.length > 0 ? `|${args.length} ${args.map(([k, v]) => `${k}=${v}`).join(' ')} ` : '' };
}

async function layerStep(env: StepEnv, set: BuildSettings, s: State, createdBy: string, make: () => Promise<NewLayer>): Promise<void> {
  const history = [...s.history, { created: now(), created_by: createdBy }];
  const top = s.layers.at(-1)?.id;
  if (!set.noCache) {
    const hit = findCached(await readSnapshot(env.ctx.storage, { imageBigData: (i) => [configKey(i)] }), top, history, true);
    if (hit !== undefined) {
      const r = await imageState(env, hit.imageId);
      Object.assign(s, { imageId: r.imageId, layers: r.layers, history: r.config.history ?? history });
      set.log(`--> Using cache ${hit.imageId}`);
      return;
    }
  }
  const staged = stagedLayer(top, await make());
  s.layers = [...s.layers, { id: staged.id, diffDigest: staged.diffDigest, diffSize: staged.diffSize }];
  s.history = history;
  s.imageId = await commitBuilt(env.paths, { config: configOf(s), layers: s.layers, layer: staged, names: [] }, env.removeTree);
  set.log(`--> ${s.imageId.slice(0, 12)}`);
}

function at(set: BuildSettings, ins: Instruction, err: unknown): unknown {
  if (err instanceof ExpandError) return syntaxError(set.file, ins.line, err.message);
  if (err instanceof RrunError && !err.message.startsWith(set.file)) {
    return new RrunError({ code: err.code, exitCode: err.exitCode, message: `${set.file}:${ins.line}: ${err.message}`, hint: err.hint, subject: err.subject, cause: err });
  }
  return err;
}

async function step(env: StepEnv, set: BuildSettings, plan: StagePlan, stage: Stage, s: State, ins: Instruction, ctx: StepContext): Promise<void> {
  if (ins.keyword === 'ARG') return argInstruction(s, ins, set, ctx.globals);
  const meta = META[ins.keyword];
  if (meta !== undefined) {
    const createdBy = meta(s.meta, ins, envLookup(s.meta.config, s.args), set.file);
    s.history = [...s.history, { created: now(), created_by: createdBy, empty_layer: true }];
    return;
  }
  if (ins.keyword === 'RUN') {
    if (s.imageId === undefined) throw new RrunError({ code: 'ERR_BUILD_RUN', message: 'RUN in an empty image (FROM scratch): there is no shell or program to run', hint: 'COPY a program in first, or start FROM an image' });
    const argv = ins.json ?? [...s.meta.shell, ins.rest];
    const { env: runEnvList, prefix } = runEnv(s);
    const createdBy = `${prefix}${ins.json !== undefined ? JSON.stringify(ins.json) : `${s.meta.shell.join(' ')} ${ins.rest}`}`;
    const imageId = s.imageId;
    const what = `RUN at line ${ins.line} (${ins.original})`;
    return layerStep(env, set, s, createdBy, () => runStep(env, {
      imageId, argv, env: runEnvList, user: s.meta.config.User, workdir: s.meta.config.WorkingDir, chain: s.layers.map((l) => l.id), what,
    }));
  }
  const c = await copyInstruction(env, set, plan, stage, s, ins, ctx.done);
  return layerStep(env, set, s, `${NOP}${c.createdBy}`, () => copyStep(env, c.step));
}

export interface StepContext {
  globals: ReadonlyMap<string, string | undefined>;
  done: ReadonlyMap<number, StageResult>;
}

export async function buildStage(env: StepEnv, set: BuildSettings, plan: StagePlan, stage: Stage, ctx: StepContext, total: number, counter: { n: number }): Promise<StageResult> {
  const lookupGlobals = (n: string): string | undefined => ctx.globals.get(n);
  const base = baseOf(stage, lookupGlobals, set.file);
  set.log(`[${stage.index + 1}/${plan.stages.length}] STEP ${++counter.n}/${total}: FROM ${base}${stage.name ? ` AS ${stage.name}` : ''}`);
  const s = newState(await baseState(env, plan, stage, base, ctx.done).catch((err: unknown) => { throw at(set, stage.from, err); }));
  for (const ins of stage.instructions) {
    set.log(`[${stage.index + 1}/${plan.stages.length}] STEP ${++counter.n}/${total}: ${ins.original}`);
    try {
      await step(env, set, plan, stage, s, ins, ctx);
    } catch (err) {
      throw at(set, ins, err);
    }
  }
  return { imageId: s.imageId, layers: s.layers, config: configOf(s) };
}

/** The stage result as a named image: the cached one with the same history, or a new commit. */
export async function finalImage(env: StepEnv, set: BuildSettings, r: StageResult, names: string[]): Promise<string> {
  const top = r.layers.at(-1)?.id;
  if (!set.noCache) {
    const hit = findCached(await readSnapshot(env.ctx.storage, { imageBigData: (i) => [configKey(i)] }), top, r.config.history ?? [], false);
    if (hit !== undefined) {
      if (names.length > 0) {
        await withLocks([{ path: env.paths.imagesLock, mode: 'write' }], async ([lock]) => addImageNames(env.paths, lock!, hit.imageId, names));
      }
      return hit.imageId;
    }
  }
  return commitBuilt(env.paths, { config: r.config, layers: r.layers, names }, env.removeTree);
}

export { expandString };
