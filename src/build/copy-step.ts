// COPY and ADD from instruction to worker job (host side): words expanded, a relative
// destination taken from WORKDIR, `--from` resolved to a stage or an image, `--chmod`
// parsed, ADD URLs downloaded into the staging directory, and the history text with
// the sources' content digest that makes the step's cache key.
import { mkdirSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RrunError } from '../../oci/errors.js';
import type { Instruction } from './containerfile.js';
import { expandString, expandWords } from './expand.js';
import { envLookup, type MetaState } from './instructions.js';
import { stageRef, type Stage, type StagePlan } from './stages.js';
import { parseIgnore } from './ignore.js';
import { contentDigest } from './cache.js';
import { expandSource } from './copy.js';
import type { CopyStep, StepEnv } from './steps.js';
import { imageState, type BuildSettings, type StageResult } from './builder.js';

interface StageLike {
  meta: MetaState;
  args: Map<string, string | undefined>;
  layers: { id: string }[];
}

function copyError(ins: Instruction, message: string, hint?: string): RrunError {
  return new RrunError({ code: 'ERR_BUILD_COPY', message: `${ins.keyword}: ${message}`, ...(hint ? { hint } : {}) });
}

async function fromChain(env: StepEnv, plan: StagePlan, stage: Stage, ref: string, done: ReadonlyMap<number, StageResult>): Promise<{ chain: string[]; key: string }> {
  const s = stageRef(plan, ref, stage.index);
  if (s !== undefined) {
    const r = done.get(s.index);
    if (r === undefined) throw new RrunError({ code: 'ERR_BUILD_STAGE', message: `stage ${ref} was not built` });
    return { chain: r.layers.map((l) => l.id), key: r.layers.at(-1)?.id ?? 'scratch' };
  }
  if (plan.stages.some((x) => x.name === ref.toLowerCase())) {
    throw new RrunError({ code: 'ERR_BUILD_STAGE', message: `--from=${ref} names a later stage`, hint: 'a stage can only copy from stages defined before it' });
  }
  if (/^\d+$/.test(ref)) throw new RrunError({ code: 'ERR_BUILD_STAGE', message: `--from=${ref}: there is no stage ${ref} before this one` });
  const r = await imageState(env, ref).catch((err: unknown) => {
    throw new RrunError({ code: 'ERR_BUILD_STAGE', message: `--from=${ref} is neither a stage nor an image: ${(err as Error).message}`, hint: 'name a stage defined with FROM … AS NAME, or an image', cause: err });
  });
  return { chain: r.layers.map((l) => l.id), key: r.imageId ?? '' };
}

async function download(env: StepEnv, url: string): Promise<{ dir: string; name: string }> {
  const res = await fetch(url);
  if (!res.ok) throw new RrunError({ code: 'ERR_BUILD_ADD_URL', message: `ADD ${url}: HTTP ${res.status}`, subject: url });
  const dir = `${env.staging}/url-${randomBytes(6).toString('hex')}`;
  mkdirSync(dir, { mode: 0o700 });
  const name = posix.basename(new URL(url).pathname) || 'index.html';
  writeFileSync(`${dir}/${name}`, Buffer.from(await res.arrayBuffer()), { mode: 0o600 });
  return { dir, name };
}

export async function copyInstruction(
  env: StepEnv, set: BuildSettings, plan: StagePlan, stage: Stage, s: StageLike, ins: Instruction, done: ReadonlyMap<number, StageResult>,
): Promise<{ step: CopyStep; createdBy: string }> {
  const lookup = envLookup(s.meta.config, s.args);
  const words = ins.json ?? expandWords(ins.rest, lookup);
  if (words.length < 2) throw copyError(ins, 'needs at least one source and a destination');
  const sources = words.slice(0, -1);
  const rawDest = words.at(-1) as string;
  const dest = rawDest.startsWith('/') ? rawDest : posix.join(s.meta.config.WorkingDir || '/', rawDest) + (rawDest.endsWith('/') ? '/' : '');
  const chmodText = ins.flags['chmod'];
  if (chmodText !== undefined && !/^[0-7]{3,4}$/.test(chmodText)) throw copyError(ins, `invalid --chmod=${chmodText}`, 'give octal permissions, e.g. --chmod=755');
  const chown = ins.flags['chown'] !== undefined ? expandString(ins.flags['chown'], lookup) : undefined;
  const flagText = Object.entries(ins.flags).map(([k, v]) => `--${k}=${v} `).join('');
  const base = { sources, dest, chown, chmod: chmodText !== undefined ? parseInt(chmodText, 8) : undefined, extract: ins.keyword === 'ADD', ignore: set.ignore, what: `${ins.keyword} ${ins.rest}` };
  const from = ins.flags['from'];
  if (from !== undefined) {
    const f = await fromChain(env, plan, stage, expandString(from, lookup), done);
    return { step: { chain: s.layers.map((l) => l.id), fromChain: f.chain, spec: { ...base, fromContext: false } }, createdBy: `${ins.keyword} ${flagText}${f.key}:${sources.join(' ')} in ${dest} ` };
  }
  const urls = sources.filter((x) => /^https?:\/\//.test(x));
  if (urls.length > 0) {
    if (ins.keyword !== 'ADD' || sources.length !== 1) throw copyError(ins, 'a URL source needs ADD and must be the only source');
    const got = await download(env, urls[0] as string);
    const spec = { ...base, sources: [got.name], srcRoot: got.dir, fromContext: true, extract: false, ignore: '', dest: dest.endsWith('/') ? `${dest}${got.name}` : dest };
    const d = contentDigest(got.dir, [got.name], []);
    return { step: { chain: s.layers.map((l) => l.id), spec }, createdBy: `${ins.keyword} ${flagText}file:${d.hex} in ${dest} ` };
  }
  const rules = parseIgnore(set.ignore);
  const escape = (): never => {
    throw copyError(ins, `${sources.join(' ')} leaves the build context (..)`, 'sources are relative to the context directory; move the file into it');
  };
  let digest: { hex: string; kind: string };
  try {
    digest = contentDigest(set.context, sources.flatMap((p) => expandSource(set.context, p, escape)), rules);
  } catch (err) {
    if (err instanceof RrunError) throw err;
    digest = { hex: randomBytes(32).toString('hex'), kind: 'file' }; // the worker reports what is missing
  }
  return { step: { chain: s.layers.map((l) => l.id), spec: { ...base, srcRoot: set.context, fromContext: true } }, createdBy: `${ins.keyword} ${flagText}${digest.kind}:${digest.hex} in ${dest} ` };
}
