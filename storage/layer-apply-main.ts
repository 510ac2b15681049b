// The layer extractor as a process: `node layer-apply-main.js DIR WHITEOUTS OPAQUE_XATTR`
// reads a layer tar on stdin and writes it into DIR. The pull runs it as root inside
// a user namespace with podman's mapping (src/image/pull-extract.ts), which is what
// lets it chown to subordinate ids and create 0:0 whiteout devices. A failure is one
// line on stderr, prefixed so the parent can tell it from other noise, and exit 1.
import { mkdirSync } from 'node:fs';
import { LayerApplier } from './layer-apply.js';
import { TarReader } from './tar-reader.js';

export const FAILURE_PREFIX = 'rrun-layer-apply: ';

async function main(): Promise<void> {
  const [dir, whiteouts, opaqueXattr] = process.argv.slice(2);
  if (dir === undefined || (whiteouts !== 'overlay' && whiteouts !== 'aufs') || opaqueXattr === undefined) {
    throw new Error('usage: layer-apply-main DIR overlay|aufs OPAQUE_XATTR');
  }
  process.umask(0o022);
  mkdirSync(dir, { mode: 0o700 });
  const applier = new LayerApplier(dir, { whiteouts, opaqueXattr });
  const reader = new TarReader(applier);
  for await (const chunk of process.stdin) reader.write(chunk as Buffer);
  reader.end();
  applier.finish();
}

main().catch((err: unknown) => {
  const e = err as { message?: string; code?: string };
  process.stderr.write(`${FAILURE_PREFIX}${JSON.stringify({ message: e.message ?? String(err), code: e.code })}\n`);
  process.exit(1);
});
