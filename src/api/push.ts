// `rrun push IMAGE [DESTINATION]`: each layer is reused when the destination repository
// has its original blob (HEAD) or can mount it from the repository it was pulled from on
// the same registry; otherwise the exact layer tar is rebuilt from tar-split and pushed
// gzipped. When every original blob is reused the stored manifest is pushed unchanged
// (same digest); else a manifest of the same format is written for the new blobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { createHash } from 'node:crypto';
import { RrunError } from '../../oci/errors.js';
import { MediaType, manifestMediaType, parseImageManifest, type Descriptor, type ImageManifest } from '../../oci/image.js';
import { formatReference, parseReference, withDefaultTag, type ImageReference } from '../../oci/reference.js';
import { subidMapping, type IdMapping } from '../../helpers/idmap.js';
import { layerDirs, storePaths, type StorePaths } from '../../storage/paths.js';
import { layerChain, readSnapshot } from '../../storage/store.js';
import type { ImageRecord, LayerRecord } from '../../storage/records.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { resolveLocalImage } from '../image/local.js';
import { layerBlob } from '../image/push-layer.js';
import { parseCreds } from './pull.js';
import { RegistryClient } from '../registry/client.js';
import { findCredentials, processAuthHost } from '../registry/credentials.js';
import { Progress, progressMode } from '../registry/progress.js';
import { blobExists, mountBlob, putManifest, uploadBlob } from '../registry/upload.js';

export interface PushOptions extends GlobalOptions {
  tlsVerify?: boolean | undefined;
  quiet?: boolean | undefined;
  authfile?: string | undefined;
  creds?: string | undefined;
  progress?: Progress | undefined;
}

export interface PushResult {
  destination: string;
  manifestDigest: string;
  reusedLayers: number;
  uploadedLayers: number;
}

interface Source {
  image: ImageRecord;
  chain: LayerRecord[];
  manifest: ImageManifest | undefined;
  manifestBytes: Buffer | undefined;
  config: Buffer;
}

async function loadSource(ctx: Context, input: string): Promise<Source> {
  const snap = await readSnapshot(ctx.storage, { imageBigData: (i) => ['manifest', `sha256:${i.id}`] });
  const image = resolveLocalImage(ctx, snap, input);
  const chain = layerChain(snap, image.layer, input).reverse();
  const data = snap.bigData.get(image.id);
  const config = data?.get(`sha256:${image.id}`);
  if (config === undefined) throw new RrunError({ code: 'ERR_INVALID_IMAGE', message: `image ${image.id} has no config in the store`, subject: image.id });
  const manifestBytes = data?.get('manifest');
  const manifest = manifestBytes !== undefined ? parseImageManifest(manifestBytes, `image ${image.id}`) : undefined;
  return { image, chain, manifest, manifestBytes, config };
}

function destinationOf(input: string, dest: string | undefined, image: ImageRecord): ImageReference {
  const raw = dest?.replace(/^docker:\/\//, '') ?? image.names?.find((n) => n.startsWith(input)) ?? image.names?.[0] ?? input;
  return withDefaultTag(parseReference(raw));
}

/** Repositories on `registry` this image was named after: candidates for a mount. */
function mountSources(image: ImageRecord, dest: ImageReference): string[] {
  return [...new Set((image.names ?? []).map((n) => parseReference(n)).filter((r) => r.domain === dest.domain && r.path !== dest.path).map((r) => r.path))];
}

interface PushCtx {
  client: RegistryClient;
  repo: string;
  paths: StorePaths;
  idmap: IdMapping;
  tmp: string;
  progress: Progress;
}

async function reuseOriginal(p: PushCtx, desc: Descriptor, mounts: readonly string[]): Promise<boolean> {
  if (await blobExists(p.client, p.repo, desc.digest)) return true;
  for (const from of mounts) if (await mountBlob(p.client, p.repo, desc.digest, from)) return true;
  return false;
}

async function pushLayer(p: PushCtx, layer: LayerRecord, original: Descriptor | undefined, mounts: readonly string[], docker: boolean): Promise<{ desc: Descriptor; reused: boolean }> {
  const label = `Copying blob ${(original?.digest ?? layer['diff-digest'] ?? '').replace(/^sha256:/, '').slice(0, 12)}`;
  p.progress.add(layer.id, label, original?.size ?? layer['diff-size'] ?? 0);
  if (original !== undefined && (await reuseOriginal(p, original, mounts))) {
    p.progress.finish(layer.id, 'skipped: already exists');
    return { desc: original, reused: true };
  }
  const dirs = layerDirs(p.paths, layer.id);
  const blob = await layerBlob(dirs.diff, `${p.paths.layersDir}/${layer.id}.tar-split.gz`, layer['diff-digest'] ?? '', `${p.tmp}/${layer.id}.gz`, p.idmap);
  if (!(await blobExists(p.client, p.repo, blob.digest))) await uploadBlob(p.client, p.repo, blob.digest, blob.size, { file: blob.file });
  p.progress.finish(layer.id);
  return { desc: { mediaType: docker ? MediaType.DockerLayerGzip : MediaType.OciLayerGzip, digest: blob.digest, size: blob.size }, reused: false };
}

function buildManifest(src: Source, layers: Descriptor[], docker: boolean): Buffer {
  const configDigest = `sha256:${src.image.id}`;
  const doc = {
    schemaVersion: 2,
    mediaType: docker ? MediaType.DockerManifest : MediaType.OciManifest,
    config: { mediaType: docker ? MediaType.DockerConfig : MediaType.OciConfig, digest: configDigest, size: src.config.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  return Buffer.from(JSON.stringify(doc));
}

export async function push(input: string, dest: string | undefined, o: PushOptions = {}, ctx?: Context): Promise<PushResult> {
  const context = ctx ?? (await createContext(o));
  const src = await loadSource(context, input);
  const target = destinationOf(input, dest, src.image);
  const auth = processAuthHost(context.env, context.host.uid, context.env['HOME'] ?? homedir());
  const credentials = parseCreds(o.creds) ?? findCredentials(auth, target.domain, target.path, o.authfile);
  const client = new RegistryClient({ registry: target.domain, insecure: o.tlsVerify === false, credentials, env: context.env });
  const me = userInfo();
  const progress = o.progress ?? new Progress(process.stderr, progressMode(o.quiet === true));
  const tmp = mkdtempSync(`${tmpdir()}/rrun-push-`);
  const p: PushCtx = { client, repo: target.path, paths: storePaths(context.storage), idmap: subidMapping({ name: me.username, uid: me.uid, gid: me.gid }), tmp, progress };
  try {
    const docker = src.manifest !== undefined && manifestMediaType(src.manifest) === MediaType.DockerManifest;
    const originals = src.manifest?.layers.length === src.chain.length ? src.manifest.layers : [];
    const mounts = mountSources(src.image, target);
    progress.line('Getting image source signatures');
    const results = [];
    for (const [i, layer] of src.chain.entries()) results.push(await pushLayer(p, layer, originals[i], mounts, docker));
    const configDigest = `sha256:${src.image.id}`;
    if (!(await blobExists(client, target.path, configDigest))) await uploadBlob(client, target.path, configDigest, src.config.length, src.config);
    progress.line(`Copying config ${src.image.id.slice(0, 10)} done`);
    const allReused = results.every((r) => r.reused) && src.manifestBytes !== undefined && src.manifest?.config.digest === configDigest;
    const manifest = allReused ? (src.manifestBytes as Buffer) : buildManifest(src, results.map((r) => r.desc), docker);
    const mediaType = allReused && src.manifest !== undefined ? manifestMediaType(src.manifest) : docker ? MediaType.DockerManifest : MediaType.OciManifest;
    progress.line('Writing manifest to image destination');
    await putManifest(client, target.path, target.tag ?? 'latest', manifest, mediaType);
    return {
      destination: formatReference(target),
      manifestDigest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
      reusedLayers: results.filter((r) => r.reused).length,
      uploadedLayers: results.filter((r) => !r.reused).length,
    };
  } finally {
    progress.end();
    rmSync(tmp, { recursive: true, force: true });
  }
}
