// `import`: a root filesystem tarball (as `docker export` or `podman export` writes it,
// plain or compressed) becomes a one-layer image, as podman import makes it: the tarball
// is the layer unchanged (diffID = sha256 of its uncompressed bytes), the config has
// only what --change sets, the history says `ADD file:<diffID> in /` with the message.
// The tarball is hashed once first (its digest and diffID must be known up front), then
// goes through the pull's layer path like any layer.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { MediaType, type ImageConfig, type ImageRuntimeConfig } from '../../oci/image.js';
import { type StagedLayer } from '../../storage/layers-write.js';
import { sha256 } from './archive-image.js';
import { commit, presentLayers, stagingRoot, type PullEnv } from './pull-image.js';
import { sniffCompression } from '../../storage/decompress.js';
import { stageLayer } from './pull-layer.js';

interface Hashed {
  digest: string;
  size: number;
  diffId: string;
}

async function hashTarball(file: string): Promise<Hashed> {
  const raw = createHash('sha256');
  const diff = createHash('sha256');
  let size = 0;
  let head: Buffer | undefined;
  for await (const c of createReadStream(file, { start: 0, end: 7 })) head = c as Buffer;
  const decoder = sniffCompression(head ?? Buffer.alloc(0)).decoder();
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (diff.update(c), cb()) });
  const tap = async function* (): AsyncGenerator<Buffer> {
    for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) {
      raw.update(c as Buffer);
      size += (c as Buffer).length;
      yield c as Buffer;
    }
  };
  await pipeline(tap, decoder, sink);
  return { digest: `sha256:${raw.digest('hex')}`, size, diffId: `sha256:${diff.digest('hex')}` };
}

export interface ImportRequest {
  file: string;
  config: ImageRuntimeConfig;
  message: string | undefined;
  names: string[];
}

export async function importRootfs(env: PullEnv, req: ImportRequest): Promise<string> {
  const h = await hashTarball(req.file);
  const created = new Date().toISOString();
  const config: ImageConfig = {
    created, architecture: 'amd64', os: 'linux', config: req.config,
    rootfs: { type: 'layers', diff_ids: [h.diffId] },
    history: [{ created, created_by: `/bin/sh -c #(nop) ADD file:${h.diffId.slice('sha256:'.length)} in /`, comment: req.message ?? 'imported from tarball' }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const desc = { mediaType: MediaType.OciLayer, digest: h.digest, size: h.size };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: MediaType.OciConfig, digest: sha256(configBytes), size: configBytes.length }, layers: [desc] }));
  const id = h.diffId.slice('sha256:'.length);
  const staging = await stagingRoot(env.paths, env.removeTree);
  try {
    const staged: StagedLayer[] = (await presentLayers(env.paths)).has(id) ? [] : [await stageLayer(
      { ...env, stagingRoot: staging, blobs: () => createReadStream(req.file, { highWaterMark: 1 << 20 }) },
      { desc, diffId: h.diffId, id, parent: undefined },
    )];
    const imageId = sha256(configBytes).slice('sha256:'.length);
    await commit(env, staged, { id: imageId, topLayer: id, config: configBytes, manifest, manifestDigest: sha256(manifest), names: req.names, created });
    return imageId;
  } finally {
    await env.removeTree(staging).catch(() => undefined);
  }
}
