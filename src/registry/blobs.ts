// Downloading a blob as a stream of chunks that survives broken connections: after a
// dropped connection or a 5xx the download continues with `Range: bytes=N-` from where it
// stopped (or starts over when the registry ignores Range), with backoff, a bounded
// number of times. The caller verifies the digest of what it received.
import { registryError, describeNetworkError, type RegistryClient } from './client.js';
import { httpError, pullScope } from './manifests.js';

export interface BlobOptions {
  attempts?: number;
  backoffMs?: number;
  signal?: AbortSignal | undefined;
  /** Called with the offset when a download starts over from the beginning. */
  onRestart?: () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Yields the blob's bytes; resumes after failures. */
export async function* blobChunks(client: RegistryClient, repo: string, digest: string, size: number, o: BlobOptions = {}): AsyncGenerator<Buffer> {
  let offset = 0;
  const attempts = o.attempts ?? 6;
  let lastErr: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(Math.min((o.backoffMs ?? 250) * 2 ** (attempt - 2), 10_000));
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    let res: Response;
    try {
      res = await client.request(`/v2/${repo}/blobs/${digest}`, { headers, scopes: [pullScope(repo)], signal: o.signal });
    } catch (err) {
      lastErr = err;
      continue;
    }
    if (res.status >= 500 || res.status === 429) {
      lastErr = await httpError(res, client.registry, `fetching blob ${digest}`);
      continue;
    }
    if (!res.ok) throw await httpError(res, client.registry, `fetching blob ${digest}`);
    if (offset > 0 && res.status !== 206) {
      offset = 0; // Range ignored: the whole blob again
      o.onRestart?.();
    }
    try {
      for await (const chunk of res.body ?? []) {
        const b = Buffer.from(chunk as Uint8Array);
        offset += b.length;
        yield b;
      }
    } catch (err) {
      if (o.signal?.aborted) throw err;
      lastErr = err;
      continue;
    }
    if (offset >= size) return;
    lastErr = new Error(`connection closed after ${offset} of ${size} bytes`);
  }
  throw registryError('ERR_BLOB_DOWNLOAD', `fetching blob ${digest} from ${client.registry}/${repo}: ${describeNetworkError(lastErr)} (gave up after ${attempts} attempts)`,
    client.registry, 'check the network and retry the pull; completed layers are kept', lastErr);
}
