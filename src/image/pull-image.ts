// Pulling one image from one source into the store: manifest (with platform choice in a
// list), config, the layers not yet in the store (bounded parallel downloads, each
// verified and extracted to a staging directory), then one short write under
// layers.lock → images.lock that registers everything (storage-format §12.2).
import { trace } from '../trace.js';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { RrunError } from '../../oci/errors.js';
import { MediaType, parseImageConfig, parseImageManifest, type Descriptor, type ImageManifest } from '../../oci/image.js';
import { withLocks } from '../../storage/lockfile.js';
import { commitImage } from '../../storage/images-write.js';
import { commitLayers, layerIds, type StagedLayer } from '../../storage/layers-write.js';
import type { StorePaths } from '../../storage/paths.js';
import { loadRecordFile } from '../../storage/record-file.js';
import { layerSchema, type LayerRecord } from '../../storage/records.js';
import { blobChunks } from '../registry/blobs.js';
import type { RegistryClient } from '../registry/client.js';
import { getManifest, type FetchedManifest } from '../registry/manifests.js';
import { choosePlatform, type PlatformWanted } from './pull-platform.js';
import { stageLayer, type LayerEnv, type LayerJob } from './pull-layer.js';

export interface PullTarget {
  client: RegistryClient;
  repo: string;
  /** Tag or digest to fetch. */
  reference: string;
  /** The names the image gets in the store. */
  names: string[];
}

export interface PullEnv extends Omit<LayerEnv, 'blobs' | 'stagingRoot'> {
  paths: StorePaths;
  platform: PlatformWanted;
  /** Layers downloaded at once (c/image's default is 6; 3 suits small machines). */
  parallel: number;
}

const listTypes = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);
const schema1 = new Set<string>([MediaType.DockerSchema1, MediaType.DockerSchema1Signed]);
const layerTypes = new Set<string>([
  MediaType.OciLayer, MediaType.OciLayerGzip, MediaType.OciLayerZstd, MediaType.DockerLayerGzip,
  'application/vnd.docker.image.rootfs.diff.tar',
]);

function invalid(code: string, message: string, source: string, hint?: string): RrunError {
  return new RrunError({ code, message, subject: source, ...(hint !== undefined ? { hint } : {}) });
}

async function resolveManifest(t: PullTarget, platform: PlatformWanted): Promise<{ m: FetchedManifest; list?: FetchedManifest | undefined }> {
  const source = `${t.client.registry}/${t.repo}:${t.reference}`;
  const top = await getManifest(t.client, t.repo, t.reference);
  if (schema1.has(top.mediaType)) {
    throw invalid('ERR_SCHEMA1', `${source}: Docker schema 1 manifests are not supported`, source,
      'schema 1 is deprecated since 2017; re-push the image with a current tool (skopeo copy, podman push)');
  }
  if (!listTypes.has(top.mediaType)) return { m: top };
  const doc = JSON.parse(top.bytes.toString('utf8')) as { manifests?: Descriptor[] };
  const chosen = choosePlatform(doc.manifests ?? [], platform, source);
  return { m: await getManifest(t.client, t.repo, chosen.digest), list: top };
}

function checkLayers(manifest: ImageManifest, source: string): void {
  for (const l of manifest.layers) {
    if (l.mediaType.includes('foreign') || l.mediaType.includes('nondistributable')) {
      throw invalid('ERR_FOREIGN_LAYER', `${source}: layer ${l.digest} is a foreign (non-distributable) layer (${l.mediaType})`, source,
        'foreign layers (Windows base images) cannot be pulled from this registry; they are not supported on Linux');
    }
    if (!layerTypes.has(l.mediaType)) throw invalid('ERR_LAYER_TYPE', `${source}: layer ${l.digest} has unsupported media type ${l.mediaType}`, source);
  }
}

async function fetchConfig(t: PullTarget, desc: Descriptor): Promise<Buffer> {
  if (desc.size > 8 * 1024 * 1024) throw invalid('ERR_INVALID_IMAGE', `config blob ${desc.digest} is ${desc.size} bytes`, desc.digest);
  const parts: Buffer[] = [];
  for await (const c of blobChunks(t.client, t.repo, desc.digest, desc.size)) parts.push(c);
  const bytes = Buffer.concat(parts);
  const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (got !== desc.digest) {
    throw invalid('ERR_DIGEST_MISMATCH', `config blob ${desc.digest}: got content with digest ${got}`, desc.digest,
      'the blob was altered or damaged in the registry; nothing was registered');
  }
  return bytes;
}

/** A staging directory for this process; those of dead pulls are removed first. */
export async function stagingRoot(paths: StorePaths, removeTree: (dir: string) => Promise<void>): Promise<string> {
  const root = `${paths.graphRoot}/rrun-staging`;
  mkdirSync(root, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(root)) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    await removeTree(`${root}/${name}`).catch(() => undefined);
  }
  const mine = `${root}/${process.pid}-${Date.now().toString(36)}`;
  mkdirSync(mine, { mode: 0o700 });
  return mine;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

export async function presentLayers(paths: StorePaths): Promise<Set<string>> {
  // Read without a lock: only a hint to skip downloads; the commit re-checks under the lock.
  try {
    const text = readFileSync(paths.layersJson, 'utf8');
    const recs = text.trim() === '' ? [] : (JSON.parse(text) as LayerRecord[]);
    return new Set(recs.filter((r) => r.flags?.['incomplete'] !== true).map((r) => r.id));
  } catch {
    return new Set((await loadRecordFile<LayerRecord>(paths.layersJson, layerSchema).catch(() => [])).map((r) => r.id));
  }
}

/** Run `fn` over `items` with at most `limit` at once; every item settles. */
export async function settleBounded<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T).then((value) => ({ status: 'fulfilled', value }) as const, (reason: unknown) => ({ status: 'rejected', reason }) as const);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface Pulled {
  id: string;
  manifestDigest: string;
  layers: number;
  downloaded: number;
}

export async function pullImage(env: PullEnv, t: PullTarget): Promise<Pulled> {
  const source = `${t.client.registry}/${t.repo}:${t.reference}`;
  const { m, list } = await resolveManifest(t, env.platform);
  const manifest = parseImageManifest(m.bytes, source);
  checkLayers(manifest, source);
  const configBytes = await fetchConfig(t, manifest.config);
  const config = parseImageConfig(configBytes, source);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw invalid('ERR_INVALID_IMAGE', `${source}: the config lists ${diffIds.length} diffIDs for ${manifest.layers.length} layers`, source);
  }
  const ids = layerIds(diffIds);
  const present = await presentLayers(env.paths);
  const jobs: LayerJob[] = manifest.layers.map((desc, i) => ({ desc, diffId: diffIds[i] as string, id: ids[i] as string, parent: ids[i - 1] }));
  const missing = jobs.filter((j) => !present.has(j.id));
  env.progress.line(`Copying ${missing.length} of ${jobs.length} layers (${jobs.length - missing.length} already present)`);
  const staging = await stagingRoot(env.paths, env.removeTree);
  try {
    const layerEnv: LayerEnv = { ...env, blobs: (d, o) => blobChunks(t.client, t.repo, d.digest, d.size, o), stagingRoot: staging };
    trace(`pull: ${missing.length} of ${jobs.length} layers to fetch`);
    const settled = await settleBounded(missing, env.parallel, (j) => stageLayer(layerEnv, j));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const staged = settled.map((s) => (s as PromiseFulfilledResult<StagedLayer>).value);
    env.progress.line(`Copying config ${manifest.config.digest.replace(/^sha256:/, '').slice(0, 10)} done`);
    env.progress.line('Writing manifest to image destination');
    const id = createHash('sha256').update(configBytes).digest('hex');
    trace('pull: every layer staged');
    await commit(env, staged, {
      id, topLayer: ids.at(-1), config: configBytes, manifest: m.bytes, manifestDigest: m.digest,
      list: list !== undefined ? { bytes: list.bytes, digest: list.digest } : undefined,
      names: t.names, created: config.created ?? new Date().toISOString(),
    });
    trace('pull: committed');
    return { id, manifestDigest: m.digest, layers: jobs.length, downloaded: missing.length };
  } finally {
    await env.removeTree(staging).catch(() => rmSync(staging, { recursive: true, force: true }));
  }
}

export async function commit(env: Pick<PullEnv, 'paths' | 'removeTree'>, staged: StagedLayer[], image: Parameters<typeof commitImage>[2]): Promise<void> {
  const p = env.paths;
  for (const d of [p.driverHome, p.layersDir, p.imagesDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const locks = [
    { path: p.layersLock, mode: 'write' as const },
    { path: p.imagesLock, mode: 'write' as const },
  ];
  await withLocks(locks, async ([layersLock, imagesLock]) => {
    await commitLayers(p, layersLock!, staged, env.removeTree);
    // Every layer of the chain must exist now (a concurrent rmi could have taken one we skipped).
    const have = new Set((await loadRecordFile<LayerRecord>(p.layersJson, layerSchema)).map((r) => r.id));
    if (image.topLayer !== undefined && !have.has(image.topLayer)) {
      throw invalid('ERR_LAYER_MISSING', `layer ${image.topLayer} disappeared while pulling`, image.topLayer, 'pull again');
    }
    await commitImage(p, imagesLock!, image);
  });
}
