// A container's merged filesystem as a tar on stdout, as a process:
// `node export-main.js ROOT`. Runs as root in the user namespace where the helper
// mounted the container's overlay read-only at ROOT (src/api/export.ts), so files of
// subordinate ids are readable and st_uid is already the container's id. The tree is
// walked as for a layer (storage/layer-create.ts); a merged view has no whiteouts.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { diffTar } from '../../storage/layer-create.js';

const FAILURE_PREFIX = 'rrun-export: ';

async function main(): Promise<void> {
  const root = process.argv[2];
  if (root === undefined) throw new Error('usage: export-main ROOT');
  await pipeline(Readable.from(diffTar(root, { opaqueXattrs: [] }), { objectMode: false }), process.stdout);
}

main().catch((err: unknown) => {
  const e = err as { message?: string; code?: string };
  process.stderr.write(`${FAILURE_PREFIX}${JSON.stringify({ message: e.message ?? String(err), code: e.code })}\n`);
  process.exit(1);
});
