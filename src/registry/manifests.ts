// Fetching manifests: every manifest media type we can use goes into `Accept`
// (distribution 2.8 answers 404 for an OCI manifest otherwise), the digest is checked
// when the reference names one, and schema 1 is refused with a clear message.
import { createHash } from 'node:crypto';
import { MediaType } from '../../oci/image.js';
import { RrunError } from '../../oci/errors.js';
import { registryError, type RegistryClient } from './client.js';

export const ACCEPTED_MANIFESTS = [
  MediaType.OciManifest,
  MediaType.OciIndex,
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
  MediaType.DockerSchema1Signed,
  MediaType.DockerSchema1,
];

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export const pullScope = (repo: string): string => `repository:${repo}:pull`;

/** Turn a non-2xx registry answer into an error naming what and why. */
export async function httpError(res: Response, registry: string, what: string): Promise<RrunError> {
  const text = await res.text().catch(() => '');
  let detail = '';
  try {
    const doc = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    detail = (doc.errors ?? []).map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
  } catch {
    detail = text.slice(0, 200).trim();
  }
  const table: Record<number, [string, string | undefined]> = {
    401: ['ERR_REGISTRY_UNAUTHORIZED', `log in first with \`rrun login ${registry}\``],
    403: ['ERR_REGISTRY_DENIED', 'check that your account may access this repository'],
    404: ['ERR_REGISTRY_NOT_FOUND', 'check the name and tag (`skopeo list-tags docker://…` lists the tags)'],
    429: ['ERR_REGISTRY_RATE_LIMIT', 'the registry is rate-limiting; wait and retry, or log in for a higher limit'],
  };
  const [code, hint] = table[res.status] ?? ['ERR_REGISTRY_HTTP', res.status >= 500 ? 'the registry failed; retry later' : undefined];
  return registryError(code, `${what}: ${registry} answered ${res.status} ${res.statusText}${detail ? ` (${detail})` : ''}`, registry, hint);
}

export async function getManifest(client: RegistryClient, repo: string, reference: string): Promise<FetchedManifest> {
  const res = await client.request(`/v2/${repo}/manifests/${reference}`, {
    headers: { accept: ACCEPTED_MANIFESTS.join(', ') },
    scopes: [pullScope(repo)],
  });
  const where = `reading manifest ${reference} in ${client.registry}/${repo}`;
  if (!res.ok) throw await httpError(res, client.registry, where);
  const bytes = Buffer.from(await res.arrayBuffer());
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (reference.startsWith('sha256:') && reference !== digest) {
    throw registryError('ERR_DIGEST_MISMATCH', `${where}: manifest digest ${digest} does not match the requested ${reference}`, client.registry,
      'the registry or a proxy altered the manifest; do not use this registry');
  }
  return { bytes, mediaType: sniffMediaType(bytes, mediaType), digest };
}

/** The media type from the document when it says, else from Content-Type. */
function sniffMediaType(bytes: Buffer, header: string): string {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; schemaVersion?: unknown; manifests?: unknown; config?: unknown };
    if (typeof doc.mediaType === 'string' && doc.mediaType !== '') return doc.mediaType;
    if (doc.schemaVersion === 1) return MediaType.DockerSchema1;
    if (Array.isArray(doc.manifests)) return MediaType.OciIndex;
    if (doc.config !== undefined) return MediaType.OciManifest;
  } catch {
    // not JSON: reported by the caller's parser
  }
  return header;
}
