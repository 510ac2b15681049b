// Reading a docker-archive (`docker save`, `podman save`): manifest.json lists per image
// its config file, RepoTags and layer files (plain tars, or compressed ones, which
// Docker accepts too). The manifest recorded in the store is the schema 2 manifest
// c/image makes up for such an archive, byte for byte (field order and the layers'
// `tar.gzip` media type included), so the image gets podman's digest as well as its id.
import { RrunError } from '../../oci/errors.js';
import { MediaType, parseImageConfig } from '../../oci/image.js';
import type { ArchiveSource } from './archive-source.js';
import { memberDigest, memberHead, sha256, storeName, type ArchiveImage, type ArchiveLayer } from './archive-image.js';
import { sniffCompression } from '../../storage/decompress.js';

interface ManifestItem {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

function invalid(src: ArchiveSource, why: string): RrunError {
  return new RrunError({
    code: 'ERR_ARCHIVE', subject: src.where,
    message: `docker-archive ${src.where}: ${why}`,
    hint: 'the archive is damaged or was not written by docker save / podman save; nothing was loaded',
  });
}

function parseItems(src: ArchiveSource, bytes: Buffer): ManifestItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalid(src, `manifest.json is not JSON: ${(err as Error).message}`);
  }
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!Array.isArray(doc)) throw invalid(src, 'manifest.json is not a list of images');
  return doc.map((x: unknown, i) => {
    const it = (x ?? {}) as Record<string, unknown>;
    if (typeof it['Config'] !== 'string' || !strings(it['Layers'])) throw invalid(src, `manifest.json entry ${i} has no Config or Layers`);
    return { Config: it['Config'], RepoTags: strings(it['RepoTags']) ? it['RepoTags'] : [], Layers: it['Layers'] };
  });
}

/** The manifest c/image's docker-archive source presents (schema 2 descriptors: mediaType, size, digest). */
export function dockerArchiveManifest(config: Buffer, layers: readonly ArchiveLayer[]): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.DockerManifest,
    config: { mediaType: MediaType.DockerConfig, size: config.length, digest: sha256(config) },
    layers: layers.map((l) => ({ mediaType: l.desc.mediaType, size: l.desc.size, digest: l.desc.digest })),
  }));
}

async function layerOf(src: ArchiveSource, member: string, diffId: string): Promise<ArchiveLayer> {
  if (!src.has(member)) throw invalid(src, `layer ${member} named in manifest.json is not in the archive`);
  // A plain tar is its own diffID; a compressed one is hashed first, so the blob check stays real.
  const compressed = sniffCompression(await memberHead(src, member)).code !== 0;
  const { digest, size } = compressed ? await memberDigest(src, member) : { digest: diffId, size: src.size(member) };
  return { member, desc: { mediaType: MediaType.DockerLayerGzip, digest, size } };
}

export async function dockerArchiveImages(src: ArchiveSource): Promise<ArchiveImage[]> {
  const items = parseItems(src, await src.read('manifest.json'));
  const out: ArchiveImage[] = [];
  for (const it of items) {
    if (!src.has(it.Config)) throw invalid(src, `config ${it.Config} named in manifest.json is not in the archive`);
    const config = await src.read(it.Config);
    const named = /^([0-9a-f]{64})\.json$/.exec(it.Config.split('/').pop() ?? '')?.[1];
    if (named !== undefined && sha256(config) !== `sha256:${named}`) {
      throw invalid(src, `config ${it.Config} has digest ${sha256(config)}: Digest did not match`);
    }
    const diffIds = parseImageConfig(config, `${src.where}:${it.Config}`).rootfs?.diff_ids ?? [];
    if (diffIds.length !== it.Layers.length) throw invalid(src, `the config lists ${diffIds.length} diffIDs for ${it.Layers.length} layers`);
    const layers: ArchiveLayer[] = [];
    for (const [i, member] of it.Layers.entries()) layers.push(await layerOf(src, member, diffIds[i] as string));
    const manifest = dockerArchiveManifest(config, layers);
    const names = it.RepoTags.map(storeName).filter((n): n is string => n !== undefined);
    out.push({ config, manifest, manifestDigest: sha256(manifest), layers, names });
  }
  return out;
}
