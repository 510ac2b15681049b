// The layer extractor as a process: `node layer-apply-main.js DIR WHITEOUTS OPAQUE_XATTR
// TARSPLIT` reads a layer blob as served (gzip, zstd or plain tar) on stdin, writes its
// files into DIR and its tar-split into TARSPLIT, and prints one JSON line with the
// layer's facts (storage/layer-stream.ts) on stdout. The pull runs it as root inside a
// user namespace with podman's mapping (src/image/pull-extract.ts), which is what lets
// it chown to subordinate ids and create 0:0 whiteout devices; one extractor per layer,
// so layers decompress and extract in parallel on several cores. A failure is one line
// on stderr, prefixed so the parent can tell it from other noise, and exit 1.
import { mkdirSync } from 'node:fs';
import { applyLayerBlob } from './layer-stream.js';

export const FAILURE_PREFIX = 'rrun-layer-apply: ';

async function main(): Promise<void> {
  const [dir, whiteouts, opaqueXattr, tarSplitFile] = process.argv.slice(2);
  if (dir === undefined || (whiteouts !== 'overlay' && whiteouts !== 'aufs') || opaqueXattr === undefined || tarSplitFile === undefined) {
    throw new Error('usage: layer-apply-main DIR overlay|aufs OPAQUE_XATTR TARSPLIT');
  }
  process.umask(0o022);
  mkdirSync(dir, { mode: 0o700 });
  const facts = await applyLayerBlob(process.stdin, dir, { whiteouts, opaqueXattr }, tarSplitFile);
  process.stdout.write(`${JSON.stringify(facts)}\n`);
}

main().catch((err: unknown) => {
  const e = err as { message?: string; code?: string };
  process.stderr.write(`${FAILURE_PREFIX}${JSON.stringify({ message: e.message ?? String(err), code: e.code })}\n`);
  process.exit(1);
});
