// `rrun commit CONTAINER [IMAGE]` as a library function, as podman 4.3 commits: the
// container's overlay upper directory becomes one new layer on top of its image (the
// build's file worker diffs it as root in the user namespace, whiteouts and opaque
// directories converted, as a RUN step's layer), and the config is the image's with the
// container's settings (command, entrypoint, environment, working directory, user,
// published ports) and then --change applied. Like podman, the runtime's mount points
// (/etc/hosts, /etc/hostname, /run/.containerenv, /etc/mtab) stay in the layer, the
// history entry says `/bin/sh` with the comment `FROM <image>`, and a message needs the
// docker format (OCI configs have no comment field).
import { randomBytes } from 'node:crypto';
import { RrunError, isRrunError } from '../../oci/errors.js';
import type { HistoryEntry, ImageConfig, ImageRuntimeConfig } from '../../oci/image.js';
import { formatReference, parseReference, withDefaultTag } from '../../oci/reference.js';
import { readSnapshot } from '../../storage/store.js';
import { layerDirs } from '../../storage/paths.js';
import { imageState } from '../build/builder.js';
import { commitBuilt, stagedLayer, type ManifestFormat } from '../build/image-commit.js';
import { runWorker } from '../build/worker.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { applyChanges } from '../image/config-changes.js';
import { stagingRoot } from '../image/pull-image.js';
import { Progress, progressMode } from '../registry/progress.js';
import { mergeEnv } from '../runtime/spec.js';
import { stepEnv } from './build.js';
import { findContainer, pickContainer, type ContainerConfig, type RrunContainer } from './container-store.js';

export interface CommitOptions extends GlobalOptions {
  author?: string | undefined;
  message?: string | undefined;
  changes?: string[] | undefined;
  /** `oci` (default) or `docker`. */
  format?: string | undefined;
  quiet?: boolean | undefined;
  /** podman pauses the container while it commits; rrun cannot freeze it without a cgroup, so it is accepted and ignored. */
  pause?: boolean | undefined;
}

const FORMATS: ReadonlyMap<string, ManifestFormat> = new Map([['oci', 'oci'], ['docker', 'docker'], ['', 'oci']]);

function formatOf(o: CommitOptions): ManifestFormat {
  const f = FORMATS.get(o.format ?? '');
  if (f === undefined) throw new RrunError({ code: 'ERR_COMMIT_FORMAT', subject: o.format, message: `unrecognized image format "${o.format ?? ''}"`, hint: 'use --format oci or --format docker' });
  if (f === 'oci' && (o.message ?? '') !== '') {
    throw new RrunError({ code: 'ERR_COMMIT_MESSAGE', message: 'messages are only compatible with the docker image format (-f docker)', hint: 'add --format docker, or leave out -m' });
  }
  return f;
}

/** The container, or an error that says when the name is podman's container rather than none at all. */
async function rrunContainer(ctx: Context, nameOrId: string): Promise<RrunContainer> {
  try {
    return await findContainer(ctx, nameOrId);
  } catch (err) {
    if (!isRrunError(err) || err.code !== 'ERR_NO_SUCH_CONTAINER') throw err;
    const snap = await readSnapshot(ctx.storage, { containers: true });
    const others = snap.containers.map((c) => ({ id: c.id, name: c.names?.[0] ?? '' }));
    let other: { id: string; name: string } | undefined;
    try {
      other = pickContainer(others, nameOrId);
    } catch {
      throw err;
    }
    throw new RrunError({
      code: 'ERR_FOREIGN_CONTAINER', subject: nameOrId, cause: err,
      message: `container "${nameOrId}" (${other.id.slice(0, 12)}) is not an rrun container: podman or buildah made it`,
      hint: `commit it with \`podman commit ${nameOrId}\``,
    });
  }
}

/** The runtime's own variables (HOME, HOSTNAME) stay out unless the image or the user set them. */
function committedEnv(image: ImageRuntimeConfig, c: ContainerConfig): string[] {
  const given = new Set(mergeEnv(image.Env ?? [], c.request.env).map((e) => e.split('=', 1)[0]));
  return (c.spec.process.env ?? []).filter((e) => {
    const name = e.split('=', 1)[0] ?? '';
    return !['HOME', 'HOSTNAME'].includes(name) || given.has(name);
  });
}

/** The image's runtime config with the container's settings, as podman's commit sets them. */
export function committedRuntime(image: ImageRuntimeConfig, c: ContainerConfig | undefined): ImageRuntimeConfig {
  const out = structuredClone(image);
  if (c === undefined) return out;
  const req = c.request;
  const none = req.entrypoint?.length === 1 && req.entrypoint[0] === ''; // `--entrypoint ''`
  const entrypoint = none ? [] : (req.entrypoint ?? image.Entrypoint ?? []);
  const cmd = req.command.length > 0 ? req.command : req.entrypoint === undefined ? (image.Cmd ?? []) : [];
  const ports = Object.fromEntries((req.net?.publish ?? []).map((p) => [`${p.containerPort}/${p.protocol}`, {}]));
  const user = req.user ?? image.User;
  return {
    ...out,
    ...(user !== undefined && user !== '' ? { User: user } : {}),
    ...(Object.keys(ports).length > 0 ? { ExposedPorts: { ...image.ExposedPorts, ...ports } } : {}),
    Env: committedEnv(image, c),
    Entrypoint: entrypoint,
    Cmd: cmd,
    WorkingDir: c.spec.process.cwd,
  };
}

/** OCI's ImageConfig: every field omitted when empty, in the specification's order. */
function ociRuntime(r: ImageRuntimeConfig): ImageRuntimeConfig {
  const order = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped'];
  const rest = Object.keys(r).filter((k) => !order.includes(k));
  const empty = (v: unknown): boolean => v === undefined || v === null || v === '' || v === false || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0);
  return Object.fromEntries([...order, ...rest].filter((k) => !empty(r[k])).map((k) => [k, r[k]]));
}

/** Docker's container.Config (schema 2 `config` and `container_config`): its fixed fields, Go's nulls for empty ones. */
function dockerRuntime(r: ImageRuntimeConfig, image: string): Record<string, unknown> {
  const opt = (k: string): Record<string, unknown> => (r[k] !== undefined && r[k] !== '' ? { [k]: r[k] } : {});
  return {
    Hostname: '', Domainname: '', User: r.User ?? '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    ...opt('ExposedPorts'), Tty: false, OpenStdin: false, StdinOnce: false, Env: r.Env ?? null, Cmd: r.Cmd ?? null,
    ...opt('Healthcheck'), ...(r.ArgsEscaped === true ? { ArgsEscaped: true } : {}),
    Image: image, Volumes: r.Volumes ?? null, WorkingDir: r.WorkingDir ?? '', Entrypoint: r.Entrypoint ?? null,
    OnBuild: r['OnBuild'] ?? null, Labels: r.Labels ?? null, ...opt('StopSignal'),
  };
}

interface ConfigInput {
  base: ImageConfig;
  baseId: string;
  runtime: ImageRuntimeConfig;
  diffIds: string[];
  ctr: RrunContainer;
  author: string | undefined;
  message: string | undefined;
  format: ManifestFormat;
}

export function committedConfig(i: ConfigInput): ImageConfig {
  const created = new Date().toISOString();
  const author = i.author !== undefined && i.author !== '' ? i.author : undefined;
  const platform = { architecture: i.base.architecture ?? 'amd64', ...(i.base.variant ? { variant: i.base.variant } : {}), os: i.base.os ?? 'linux' };
  const rootfs = { type: 'layers', diff_ids: i.diffIds };
  const comment = `FROM ${i.ctr.imageName}`;
  if (i.format === 'oci') {
    const entry: HistoryEntry = { created, created_by: '/bin/sh', ...(author ? { author } : {}), comment };
    return { created, ...(author ? { author } : {}), ...platform, config: ociRuntime(i.runtime), rootfs, history: [...(i.base.history ?? []), entry] };
  }
  const entry: HistoryEntry = { created, ...(author ? { author } : {}), created_by: '/bin/sh', comment };
  const runtime = dockerRuntime(i.runtime, i.ctr.imageName) as ImageRuntimeConfig;
  return {
    ...(i.message ? { comment: i.message } : {}), created, container: i.ctr.id, container_config: runtime, ...(author ? { author } : {}),
    config: runtime, ...platform, parent: `sha256:${i.baseId}`, rootfs, history: [...(i.base.history ?? []), entry],
  };
}

function nameOf(image: string | undefined): string[] {
  if (image === undefined || image === '') return [];
  return [formatReference(withDefaultTag(parseReference(image.includes('/') ? image : `localhost/${image}`)))];
}

/** Resolves to the new image's id. */
export async function commitContainer(nameOrId: string, image: string | undefined, o: CommitOptions = {}, c?: Context): Promise<string> {
  const ctx = c ?? (await createContext(o));
  const format = formatOf(o);
  const names = nameOf(image);
  applyChanges({}, o.changes ?? []); // refuse a bad --change before any work
  const ctr = await rrunContainer(ctx, nameOrId);
  if (ctr.record.layer === undefined) throw new RrunError({ code: 'ERR_LAYER_MISSING', subject: ctr.id, message: `the writable layer of container ${ctr.name} is missing` });
  const progress = new Progress(process.stderr, progressMode(o.quiet === true));
  const pre = stepEnv(ctx, '', undefined);
  const env = stepEnv(ctx, await stagingRoot(pre.paths, pre.removeTree), undefined);
  try {
    const base = await imageState(env, ctr.imageId);
    progress.line('Getting image source signatures');
    const files = `${env.staging}/${randomBytes(8).toString('hex')}`;
    const diff = { upper: layerDirs(env.paths, ctr.record.layer).diff, stagingDir: `${files}.d`, tarSplitFile: `${files}.tar-split.gz`, whiteouts: env.whiteouts, opaqueXattr: env.opaqueXattr };
    const staged = stagedLayer(base.layers.at(-1)?.id, { ...(await runWorker({ diff }, `${files}.job.json`, [], env.mode, env.idmap)), stagingDir: diff.stagingDir, tarSplitFile: diff.tarSplitFile });
    const layers = [...base.layers, { id: staged.id, diffDigest: staged.diffDigest, diffSize: staged.diffSize }];
    for (const l of layers) progress.line(`Copying blob ${l.diffDigest}`);
    const runtime = applyChanges(committedRuntime(base.config.config ?? {}, ctr.config), o.changes ?? []);
    const config = committedConfig({ base: base.config, baseId: ctr.imageId, runtime, diffIds: layers.map((l) => l.diffDigest), ctr, author: o.author, message: o.message, format });
    const id = await commitBuilt(env.paths, { config, layers, layer: staged, names, format }, env.removeTree);
    progress.line(`Copying config sha256:${id}`);
    progress.line('Writing manifest to image destination');
    progress.line('Storing signatures');
    return id;
  } finally {
    progress.end();
    await env.removeTree(env.staging).catch(() => undefined);
  }
}
