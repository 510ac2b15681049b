// Writing a built (or committed, imported, loaded) image into podman's store as pull
// does (storage-format §12.2): the new layer, if any, registered under layers.lock, then
// config + manifest + record under images.lock, in one hold. Like podman build, layers
// are stored uncompressed: the manifest's layer digests are the diffIDs, media type
// `application/vnd.oci.image.layer.v1.tar`, and compressed-diff-digest = diff-digest.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { MediaType, type ImageConfig } from '../../oci/image.js';
import { withLocks } from '../../storage/lockfile.js';
import { commitImage } from '../../storage/images-write.js';
import { commitLayers, layerId, type RemoveTree, type StagedLayer } from '../../storage/layers-write.js';
import type { StorePaths } from '../../storage/paths.js';
import type { StagedDiff } from '../../storage/layer-create-stage.js';

export interface LayerDesc {
  id: string;
  diffDigest: string;
  diffSize: number;
}

export interface NewLayer extends StagedDiff {
  stagingDir: string;
  tarSplitFile: string;
}

/** The staged layer record for a diff on top of `parent`. */
export function stagedLayer(parent: string | undefined, d: NewLayer): StagedLayer {
  return {
    id: layerId(parent, d.diffDigest), parent, diffDigest: d.diffDigest, diffSize: d.diffSize,
    compressedDigest: d.diffDigest, compressedSize: d.diffSize, compression: 0,
    uidset: d.uidset, gidset: d.gidset, stagingDir: d.stagingDir, tarSplitFile: d.tarSplitFile,
  };
}

/** `--format` of commit (and build): the manifest's media types (docker: schema 2, `size` before `digest` as c/image writes it). */
export type ManifestFormat = 'oci' | 'docker';

const FORMATS: Record<ManifestFormat, { manifest: string; config: string; layer: string; desc: (mediaType: string, digest: string, size: number) => object }> = {
  oci: { manifest: MediaType.OciManifest, config: MediaType.OciConfig, layer: MediaType.OciLayer, desc: (mediaType, digest, size) => ({ mediaType, digest, size }) },
  docker: { manifest: MediaType.DockerManifest, config: MediaType.DockerConfig, layer: 'application/vnd.docker.image.rootfs.diff.tar', desc: (mediaType, digest, size) => ({ mediaType, size, digest }) },
};

export function ociManifest(configBytes: Buffer, layers: readonly LayerDesc[], format: ManifestFormat = 'oci'): Buffer {
  const f = FORMATS[format];
  const manifest = {
    schemaVersion: 2,
    mediaType: f.manifest,
    config: f.desc(f.config, `sha256:${createHash('sha256').update(configBytes).digest('hex')}`, configBytes.length),
    layers: layers.map((l) => f.desc(f.layer, l.diffDigest, l.diffSize)),
  };
  return Buffer.from(JSON.stringify(manifest));
}

export interface CommitRequest {
  config: ImageConfig;
  /** Every layer of the image, base first (the last may be `layer`, not yet in the store). */
  layers: LayerDesc[];
  layer?: StagedLayer | undefined;
  names: string[];
  format?: ManifestFormat | undefined;
}

/** Register the image (and its new layer); resolves to the image id. */
export async function commitBuilt(paths: StorePaths, req: CommitRequest, removeTree: RemoveTree): Promise<string> {
  const config = Buffer.from(JSON.stringify(req.config));
  const manifest = ociManifest(config, req.layers, req.format);
  const id = createHash('sha256').update(config).digest('hex');
  for (const d of [paths.driverHome, paths.layersDir, paths.imagesDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const locks = [{ path: paths.layersLock, mode: 'write' as const }, { path: paths.imagesLock, mode: 'write' as const }];
  await withLocks(locks, async ([layersLock, imagesLock]) => {
    if (req.layer !== undefined) {
      const reused = await commitLayers(paths, layersLock!, [req.layer], removeTree);
      if (reused.has(req.layer.id)) await removeTree(req.layer.stagingDir);
    }
    await commitImage(paths, imagesLock!, {
      id, topLayer: req.layers.at(-1)?.id, config, manifest,
      manifestDigest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
      names: req.names, created: req.config.created ?? new Date().toISOString(),
    });
  });
  return id;
}
