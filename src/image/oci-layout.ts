// Reading an OCI image layout (a directory, or an oci-archive: the same in a tar):
// `oci-layout`, `index.json` naming manifests (or nested indexes, where the host's
// platform is chosen), and content-addressed `blobs/<alg>/<hex>`. Every blob is checked
// against its descriptor: manifest and config here, layers while they stream.
import { RrunError } from '../../oci/errors.js';
import { MediaType, parseImageManifest, type Descriptor } from '../../oci/image.js';
import type { ArchiveSource } from './archive-source.js';
import { sha256, storeName, type ArchiveImage } from './archive-image.js';
import { choosePlatform, hostPlatform } from './pull-platform.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';

const indexTypes = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);

export function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':');
  if (alg !== 'sha256' || hex === undefined || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new RrunError({ code: 'ERR_ARCHIVE', message: `unsupported or invalid digest ${JSON.stringify(digest)}`, subject: digest });
  }
  return `blobs/${alg}/${hex}`;
}

function invalid(src: ArchiveSource, why: string): RrunError {
  return new RrunError({
    code: 'ERR_ARCHIVE', subject: src.where,
    message: `oci-archive ${src.where}: ${why}`,
    hint: 'the archive or layout is damaged or incomplete; nothing was loaded',
  });
}

async function blob(src: ArchiveSource, desc: Descriptor, what: string): Promise<Buffer> {
  const path = blobPath(desc.digest);
  if (!src.has(path)) throw invalid(src, `${what} ${desc.digest} is missing (${path})`);
  const bytes = await src.read(path);
  const got = sha256(bytes);
  if (got !== desc.digest || bytes.length !== desc.size) {
    throw invalid(src, `${what} ${desc.digest}: Digest did not match, got ${got} (${bytes.length} bytes, expected ${desc.size})`);
  }
  return bytes;
}

function descriptors(src: ArchiveSource, bytes: Buffer, what: string): Descriptor[] {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown };
    if (!Array.isArray(doc.manifests)) throw new Error('no "manifests" list');
    return doc.manifests as Descriptor[];
  } catch (err) {
    throw invalid(src, `${what} is not an image index: ${(err as Error).message}`);
  }
}

async function image(src: ArchiveSource, top: Descriptor): Promise<ArchiveImage> {
  let desc = top;
  for (let depth = 0; indexTypes.has(desc.mediaType); depth++) {
    if (depth > 4) throw invalid(src, 'indexes nested too deeply');
    desc = choosePlatform(descriptors(src, await blob(src, desc, 'index'), `index ${desc.digest}`), hostPlatform(), src.where);
  }
  const manifest = await blob(src, desc, 'manifest');
  const m = parseImageManifest(manifest, `${src.where}@${desc.digest}`);
  const config = await blob(src, m.config, 'config');
  const layers = m.layers.map((l) => {
    if (!src.has(blobPath(l.digest))) throw invalid(src, `layer ${l.digest} is missing (${blobPath(l.digest)})`);
    return { member: blobPath(l.digest), desc: l };
  });
  const ref = top.annotations?.[REF_NAME];
  // A bare tag ("latest") names no repository: such an image loads without a name, as podman's.
  const name = ref !== undefined && /[/:]/.test(ref) ? storeName(ref) : undefined;
  return { config, manifest, manifestDigest: desc.digest, layers, names: name !== undefined ? [name] : [] };
}

export async function ociLayoutImages(src: ArchiveSource): Promise<ArchiveImage[]> {
  const manifests = descriptors(src, await src.read('index.json'), 'index.json');
  if (manifests.length === 0) throw invalid(src, 'index.json lists no images');
  const out: ArchiveImage[] = [];
  for (const d of manifests) out.push(await image(src, d));
  return out;
}
