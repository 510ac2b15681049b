// Pushing blobs and manifests (distribution spec): HEAD to skip blobs the repository
// has, a cross-repository mount when the blob is known in another repository of the same
// registry, else POST an upload session and PUT the whole blob with its digest.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { RegistryClient } from './client.js';
import { httpError } from './manifests.js';

export const pushScope = (repo: string): string => `repository:${repo}:pull,push`;

export async function blobExists(c: RegistryClient, repo: string, digest: string): Promise<boolean> {
  const res = await c.request(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD', scopes: [pushScope(repo)] });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status === 404) return false;
  if (!res.ok) throw await httpError(res, c.registry, `checking blob ${digest}`);
  return true;
}

function absolute(c: RegistryClient, location: string | null, what: string): string {
  if (location === null) throw new Error(`${what}: the registry gave no Location`);
  return new URL(location, c.baseUrl).toString();
}

/** Try to mount `digest` from `from`; true when the registry did (201). */
export async function mountBlob(c: RegistryClient, repo: string, digest: string, from: string): Promise<boolean> {
  const q = new URLSearchParams({ mount: digest, from });
  const res = await c.request(`/v2/${repo}/blobs/uploads/?${q}`, { method: 'POST', scopes: [pushScope(repo), `repository:${from}:pull`], retry: false });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status === 201) return true;
  if (res.status === 202) {
    // Not mountable: the registry opened an upload session instead; close it.
    const url = res.headers.get('location');
    if (url !== null) await c.request(absolute(c, url, 'mount'), { method: 'DELETE', scopes: [pushScope(repo)], retry: false }).then((r) => r.arrayBuffer()).catch(() => undefined);
  }
  return false;
}

/** Upload a blob held in memory or in a file, in one PUT. */
export async function uploadBlob(c: RegistryClient, repo: string, digest: string, size: number, data: Buffer | { file: string }): Promise<void> {
  const start = await c.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST', scopes: [pushScope(repo)] });
  await start.arrayBuffer().catch(() => undefined);
  if (start.status !== 202) throw await httpError(start, c.registry, `starting the upload of ${digest}`);
  const url = new URL(absolute(c, start.headers.get('location'), 'upload'));
  url.searchParams.set('digest', digest);
  const body = Buffer.isBuffer(data) ? data : (Readable.toWeb(createReadStream(data.file)) as unknown as Uint8Array);
  const res = await c.request(url.toString(), {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body,
    scopes: [pushScope(repo)],
    retry: false,
    duplex: true,
  });
  if (res.status !== 201) throw await httpError(res, c.registry, `uploading blob ${digest}`);
  await res.arrayBuffer().catch(() => undefined);
}

export async function putManifest(c: RegistryClient, repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<void> {
  const res = await c.request(`/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body: bytes,
    scopes: [pushScope(repo)],
    retry: false,
  });
  if (res.status !== 201) throw await httpError(res, c.registry, `writing manifest ${reference}`);
  await res.arrayBuffer().catch(() => undefined);
}
