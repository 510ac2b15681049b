// `rrun build` as a library function: read the Containerfile and .containerignore, plan
// the stages, build the ones the target needs (src/build/builder.ts), name the result.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { RrunError } from '../../oci/errors.js';
import { subidMapping } from '../../helpers/idmap.js';
import { storePaths } from '../../storage/paths.js';
import { formatReference, parseReference } from '../../oci/reference.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { overlayMode } from '../runtime/rootfs.js';
import { removeTreeInUserns } from '../runtime/remove-tree.js';
import { stagingRoot } from '../image/pull-image.js';
import { parseContainerfile } from '../build/containerfile.js';
import { neededStages, planStages, targetStage } from '../build/stages.js';
import { expandString } from '../build/expand.js';
import { buildStage, finalImage, type BuildSettings, type StageResult } from '../build/builder.js';
import type { StepEnv } from '../build/steps.js';

export interface BuildOptions extends GlobalOptions {
  context: string;
  file?: string | undefined;
  tags?: string[] | undefined;
  buildArgs?: string[] | undefined;
  target?: string | undefined;
  noCache?: boolean | undefined;
  network?: string | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface BuildResult {
  id: string;
  names: string[];
}

function containerfileOf(context: string, file: string | undefined): string {
  if (file !== undefined) return file.startsWith('/') || existsSync(file) ? file : `${context}/${file}`;
  for (const n of ['Containerfile', 'Dockerfile']) if (existsSync(`${context}/${n}`)) return `${context}/${n}`;
  throw new RrunError({ code: 'ERR_BUILD_NO_FILE', message: `no Containerfile or Dockerfile in ${context}`, subject: context, hint: 'add one, or name it with -f' });
}

function ignoreText(context: string): string {
  for (const n of ['.containerignore', '.dockerignore']) if (existsSync(`${context}/${n}`)) return readFileSync(`${context}/${n}`, 'utf8');
  return '';
}

export function stepEnv(ctx: Context, staging: string, network: string | undefined): StepEnv {
  const me = userInfo();
  const idmap = subidMapping({ name: me.username, uid: me.uid, gid: me.gid });
  const paths = storePaths(ctx.storage);
  let hasMountProgram: string | null = null;
  try {
    hasMountProgram = readFileSync(`${paths.driverHome}/.has-mount-program`, 'utf8').trim();
  } catch {
    hasMountProgram = null;
  }
  const mode = overlayMode(ctx.storage.driverOptions, hasMountProgram);
  return {
    ctx, paths, idmap, mode, staging, network, removeTree: (dir) => removeTreeInUserns(dir, idmap),
    whiteouts: mode.kind === 'fuse' ? 'aufs' : 'overlay', opaqueXattr: ctx.host.uid === 0 ? 'trusted.overlay.opaque' : 'user.overlay.opaque',
  };
}

export async function build(o: BuildOptions, c?: Context): Promise<BuildResult> {
  const ctx = c ?? (await createContext(o));
  if (!statSync(o.context, { throwIfNoEntry: false })?.isDirectory()) {
    throw new RrunError({ code: 'ERR_BUILD_CONTEXT', message: `the build context ${o.context} is not a directory`, subject: o.context });
  }
  const context = realpathSync(o.context);
  const file = containerfileOf(context, o.file);
  const fileName = file.split('/').pop() ?? file;
  const plan = planStages(parseContainerfile(readFileSync(file, 'utf8'), fileName), fileName);
  const buildArgs = new Map((o.buildArgs ?? []).map((a) => {
    const eq = a.indexOf('=');
    return eq < 0 ? [a, process.env[a] ?? ''] : [a.slice(0, eq), a.slice(eq + 1)];
  }));
  const globals = new Map<string, string | undefined>();
  for (const a of plan.globalArgs) {
    const [name = '', dflt] = a.rest.split('=', 2);
    globals.set(name, buildArgs.get(name) ?? (dflt !== undefined ? expandString(dflt, (n) => globals.get(n)) : undefined));
  }
  const target = targetStage(plan, o.target, fileName);
  const needed = neededStages(plan, target, (n) => globals.get(n), fileName);
  const names = (o.tags ?? []).map((t) => formatReference(parseReference(t.includes('/') ? t : `localhost/${t}`)));
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const set: BuildSettings = { file: fileName, context, ignore: ignoreText(context), buildArgs, noCache: o.noCache ?? false, log };
  const removeTree = (dir: string): Promise<void> => removeTreeInUserns(dir, stepEnv(ctx, '', undefined).idmap);
  const staging = await stagingRoot(storePaths(ctx.storage), removeTree);
  const env = stepEnv(ctx, staging, o.network);
  try {
    const done = new Map<number, StageResult>();
    const total = needed.reduce((n, i) => n + 1 + (plan.stages[i]?.instructions.length ?? 0), 0);
    const counter = { n: 0 };
    for (const i of needed) {
      const stage = plan.stages[i];
      if (stage === undefined) continue;
      done.set(i, await buildStage(env, set, plan, stage, { globals, done }, total, counter));
    }
    const id = await finalImage(env, set, done.get(target.index) as StageResult, names);
    log(`COMMIT ${names.join(', ')}`);
    return { id, names };
  } finally {
    await env.removeTree(staging).catch(() => undefined);
  }
}
