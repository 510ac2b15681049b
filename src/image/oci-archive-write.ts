// Writing an oci-archive as podman save --format oci-archive does: an OCI image layout
// in a tar, layers gzip-compressed (c/image's default for OCI destinations), the
// manifest without a top-level mediaType (as c/image converts it), index.json naming
// the image by its full reference in `org.opencontainers.image.ref.name`.
import { createReadStream } from 'node:fs';
import { MediaType } from '../../oci/image.js';
import { sha256 } from './archive-image.js';
import type { TarOut } from './archive-tar-out.js';
import { blobPath, REF_NAME } from './oci-layout.js';
import type { LayerBlob } from './push-layer.js';

export const OCI_LAYOUT = '{"imageLayoutVersion": "1.0.0"}';

export interface OciSaveImage {
  config: Buffer;
  refName: string | undefined;
}

export function ociSaveManifest(config: Buffer, layers: readonly LayerBlob[]): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    config: { mediaType: MediaType.OciConfig, digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: MediaType.OciLayerGzip, digest: l.digest, size: l.size })),
  }));
}

export function ociIndex(manifest: Buffer, refName: string | undefined): Buffer {
  const desc = {
    mediaType: MediaType.OciManifest, digest: sha256(manifest), size: manifest.length,
    ...(refName !== undefined ? { annotations: { [REF_NAME]: refName } } : {}),
  };
  return Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [desc] }));
}

/** `blobs` are the layers already compressed into temporary files, base first. */
export async function writeOciArchive(out: TarOut, img: OciSaveImage, blobs: readonly LayerBlob[]): Promise<void> {
  const manifest = ociSaveManifest(img.config, blobs);
  await out.dir('blobs');
  await out.dir('blobs/sha256');
  const sent = new Set<string>();
  for (const b of blobs) {
    if (sent.has(b.digest)) continue;
    sent.add(b.digest);
    await out.stream(blobPath(b.digest), b.size, createReadStream(b.file, { highWaterMark: 1 << 20 }));
  }
  await out.file(blobPath(sha256(img.config)), img.config);
  await out.file(blobPath(sha256(manifest)), manifest);
  await out.file('index.json', ociIndex(manifest, img.refName));
  await out.file('oci-layout', Buffer.from(OCI_LAYOUT));
}
