// What `load` takes from an archive, whatever its format: per image the config bytes,
// the manifest the store records, and each layer as a member of the archive with the
// descriptor its bytes must match (sha256 and size), plus the names to give it.
import { createHash } from 'node:crypto';
import type { Descriptor } from '../../oci/image.js';
import { formatReference, parseReference, withDefaultTag } from '../../oci/reference.js';
import type { ArchiveSource } from './archive-source.js';

export interface ArchiveLayer {
  member: string;
  desc: Descriptor;
}

export interface ArchiveImage {
  config: Buffer;
  manifest: Buffer;
  manifestDigest: string;
  layers: ArchiveLayer[];
  names: string[];
}

export const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The sha256 and size of a member, read once (only for compressed docker-archive layers). */
export async function memberDigest(src: ArchiveSource, member: string): Promise<{ digest: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of src.chunks(member)) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}

/** A RepoTags entry or an OCI ref.name as the store names images (docker.io/library/…:tag). */
export function storeName(ref: string): string | undefined {
  try {
    return formatReference(withDefaultTag(parseReference(ref)));
  } catch {
    return undefined;
  }
}

/** The first bytes of a member: compressed layers are recognised by their magic. */
export async function memberHead(src: ArchiveSource, member: string): Promise<Buffer> {
  for await (const c of src.chunks(member)) return (c as Buffer).subarray(0, 8);
  return Buffer.alloc(0);
}
