// `rrun export CTR [-o FILE]` as a library function: the container's merged filesystem
// (its upper directory over the image's layers, mounted read-only by the helper in a
// user namespace with the container's mapping) streamed as a tar, as podman export.
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { layerDirs, storePaths } from '../../storage/paths.js';
import type { LayerRecord } from '../../storage/records.js';
import { layerChain, readSnapshot } from '../../storage/store.js';
import { mountOps } from '../build/worker.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { launch } from '../runtime/launch.js';
import { lowerLinks, overlayMode } from '../runtime/rootfs.js';
import { nodeTaskArgv, usernsTaskPlan } from '../runtime/userns-task.js';
import { findContainer } from './container-store.js';
import { idMapping } from './run.js';

export interface ExportOptions extends GlobalOptions {
  output?: string | undefined;
  stdout?: Writable | undefined;
}

function mountMode(graphDriverHome: string, driverOptions: readonly string[]): ReturnType<typeof overlayMode> {
  let program: string | null = null;
  try {
    program = readFileSync(`${graphDriverHome}/.has-mount-program`, 'utf8').trim();
  } catch {
    program = null;
  }
  return overlayMode(driverOptions, program);
}

async function outputFor(path: string): Promise<Writable> {
  const ws = createWriteStream(path, { mode: 0o644 });
  try {
    await once(ws, 'open');
    return ws;
  } catch (err) {
    const why = errnoCode(err) === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
    throw new RrunError({ code: 'ERR_EXPORT_OUTPUT', subject: path, cause: err, message: `opening file "${path}": open ${path}: ${why}` });
  }
}

export async function exportContainer(nameOrId: string, o: ExportOptions = {}, c?: Context): Promise<void> {
  const ctx = c ?? (await createContext(o));
  const ctr = await findContainer(ctx, nameOrId);
  const snap = await readSnapshot(ctx.storage);
  const paths = storePaths(ctx.storage);
  const top = snap.layers.get(ctr.record.layer ?? '');
  if (top === undefined) throw new RrunError({ code: 'ERR_LAYER_MISSING', message: `the writable layer of container ${ctr.id} is missing`, subject: ctr.id });
  const image: LayerRecord[] = layerChain(snap, top.parent, ctr.name);
  const staging = `${paths.graphRoot}/rrun-staging/${process.pid}-export-${randomBytes(4).toString('hex')}`;
  mkdirSync(`${staging}/root`, { recursive: true, mode: 0o700 });
  mkdirSync(`${staging}/empty`, { mode: 0o700 });
  const lowers = [layerDirs(paths, top.id).diff, ...lowerLinks(paths, image)];
  const mode = mountMode(paths.driverHome, ctx.storage.driverOptions);
  const file = o.output !== undefined ? await outputFor(o.output) : undefined;
  let stdout: Readable | undefined;
  let tail = '';
  let started: () => void = () => {};
  const ready = new Promise<void>((r) => (started = r));
  try {
    const plan = usernsTaskPlan(nodeTaskArgv('src/image/export-main.js', [`${staging}/root`]), mountOps({ lowers: lowers.length > 1 ? lowers : [...lowers, `${staging}/empty`], target: `${staging}/root` }, mode));
    const done = launch(plan, {
      idmap: idMapping(ctr.config?.request ?? { singleIdMap: false }), stdio: ['ignore', 'pipe', 'pipe'], forwardSignals: false,
      onStart: (h) => {
        stdout = h.stdout ?? undefined;
        h.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
        started();
      },
    });
    await Promise.race([ready, done]);
    if (stdout === undefined) throw new RrunError({ code: 'ERR_EXPORT', message: `exporting ${ctr.name}: the exporter did not start: ${tail.trim()}` });
    await pipeline(stdout, file ?? o.stdout ?? process.stdout, { end: file !== undefined });
    const r = await done;
    if (r.exitCode !== 0) throw new RrunError({ code: 'ERR_EXPORT', subject: ctr.id, message: `exporting ${ctr.name}: ${tail.trim().split('\n').slice(-3).join('; ')}` });
  } catch (err) {
    if (o.output !== undefined) rmSync(o.output, { force: true });
    throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
