// `load`: an archive (docker-archive or oci-archive file, OCI layout directory, stdin)
// into the store exactly as a pull writes it. The format is recognised by its index
// (manifest.json, index.json); each layer not yet in the store goes through the pull's
// layer path (src/image/pull-layer.ts: digest and diffID checks while it streams, tar-
// split, extraction in the user namespace into staging), and only a fully verified image
// is registered (layer ids from the diffID chain, names moved from other images).
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { parseImageConfig } from '../../oci/image.js';
import { layerIds, type StagedLayer } from '../../storage/layers-write.js';
import { DirSource, TarFileSource, type ArchiveSource } from './archive-source.js';
import { sha256, type ArchiveImage } from './archive-image.js';
import { dockerArchiveImages } from './docker-archive.js';
import { ociLayoutImages } from './oci-layout.js';
import { commit, presentLayers, settleBounded, stagingRoot, type PullEnv } from './pull-image.js';
import { stageLayer, type LayerEnv, type LayerJob } from './pull-layer.js';

export interface OpenedArchive {
  src: ArchiveSource;
  close(): void;
}

const formats: { name: string; index: string; read: (s: ArchiveSource) => Promise<ArchiveImage[]> }[] = [
  { name: 'oci-archive', index: 'index.json', read: ociLayoutImages },
  { name: 'docker-archive', index: 'manifest.json', read: dockerArchiveImages },
];

/** A file we may seek in: stdin and compressed archives are copied to a temporary file first. */
async function seekableCopy(input: Readable, tmp: string): Promise<string> {
  const file = `${tmp}/archive.tar`;
  await pipeline(input, createWriteStream(file, { mode: 0o600 }));
  return file;
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

function unreadable(input: string, err: unknown): RrunError {
  const code = errnoCode(err);
  return new RrunError({
    code: code === 'ENOENT' ? 'ERR_ARCHIVE_MISSING' : 'ERR_ARCHIVE', subject: input, cause: err,
    message: `${code === 'ENOENT' ? 'stat' : 'reading'} ${input}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
  });
}

/** Open `input` (a path, or stdin when undefined). */
export async function openArchive(input: string | undefined, stdin: Readable = process.stdin): Promise<OpenedArchive> {
  const tmp = mkdtempSync(`${tmpdir()}/rrun-load-`);
  const close = (): void => rmSync(tmp, { recursive: true, force: true });
  try {
    if (input !== undefined && statSync(input).isDirectory()) return { src: new DirSource(input), close };
    const where = input ?? 'stdin';
    let file = input ?? (await seekableCopy(stdin, tmp));
    if (await isGzip(file)) file = await seekableCopy(createReadStream(file).pipe(createGunzip()), tmp);
    const src = await TarFileSource.open(file, where).catch((err: unknown) => {
      throw notAnImage(where, formats.map((f) => `${f.name}: loading tar component ${f.index}: ${(err as Error).message}`));
    });
    return { src, close };
  } catch (err) {
    close();
    if (err instanceof RrunError) throw err;
    throw unreadable(input ?? 'stdin', err);
  }
}

function notAnImage(where: string, reasons: string[]): RrunError {
  return new RrunError({
    code: 'ERR_ARCHIVE_FORMAT', subject: where,
    message: `payload does not match any of the supported image formats:\n${reasons.map((r) => ` * ${r}`).join('\n')}`,
    hint: `${where} is not a complete docker-archive (docker save, podman save), oci-archive or OCI layout; nothing was loaded`,
  });
}

/** The images of an opened archive, in its format. */
export async function archiveImages(src: ArchiveSource): Promise<ArchiveImage[]> {
  const format = formats.find((f) => src.has(f.index));
  if (format === undefined) {
    throw notAnImage(src.where, formats.map((f) => `${f.name}: loading tar component ${f.index}: file does not exist`));
  }
  return format.read(src);
}

export interface Loaded {
  id: string;
  names: string[];
}

/** Verify, extract and register one image of the archive. */
export async function loadImage(env: PullEnv, src: ArchiveSource, img: ArchiveImage): Promise<Loaded> {
  const config = parseImageConfig(img.config, src.where);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== img.layers.length) {
    throw new RrunError({ code: 'ERR_ARCHIVE', subject: src.where, message: `${src.where}: the config lists ${diffIds.length} diffIDs for ${img.layers.length} layers` });
  }
  const ids = layerIds(diffIds);
  const members = new Map(img.layers.map((l) => [l.desc.digest, l.member]));
  const jobs: LayerJob[] = img.layers.map((l, i) => ({ desc: l.desc, diffId: diffIds[i] as string, id: ids[i] as string, parent: ids[i - 1] }));
  const present = await presentLayers(env.paths);
  const missing = jobs.filter((j) => !present.has(j.id));
  env.progress.line('Getting image source signatures');
  const staging = await stagingRoot(env.paths, env.removeTree);
  try {
    const layerEnv: LayerEnv = { ...env, stagingRoot: staging, blobs: (d) => src.chunks(members.get(d.digest) ?? '') };
    const settled = await settleBounded(missing, env.parallel, (j) => stageLayer(layerEnv, j));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const staged = settled.map((s) => (s as PromiseFulfilledResult<StagedLayer>).value);
    const id = sha256(img.config).slice('sha256:'.length);
    env.progress.line(`Copying config ${id.slice(0, 10)} done`);
    env.progress.line('Writing manifest to image destination');
    env.progress.line('Storing signatures');
    await commit(env, staged, {
      id, topLayer: ids.at(-1), config: img.config, manifest: img.manifest, manifestDigest: img.manifestDigest,
      names: img.names, created: config.created ?? new Date().toISOString(),
    });
    return { id, names: img.names };
  } finally {
    await env.removeTree(staging).catch(() => rmSync(staging, { recursive: true, force: true }));
  }
}
