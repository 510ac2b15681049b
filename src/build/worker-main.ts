// The build's file worker as a process: `node worker-main.js JOB.json`. It runs as root
// inside a user namespace with podman's mapping (src/build/worker.ts launches it after
// the helper mounted the overlays), applies a COPY/ADD to the mounted root, and turns
// the container's upper directory into a staged layer. Result: JSON in `JOB.json.out`;
// a failure is one prefixed JSON line on stderr and exit 1.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { LayerApplier } from '../../storage/layer-apply.js';
import { stageDiff } from '../../storage/layer-create-stage.js';
import { TarReader } from '../../storage/tar-reader.js';
import { resolveUser } from '../runtime/passwd.js';
import { runtimeArtefacts } from './artefacts.js';
import { applyCopy, resolveInRoot } from './copy.js';
import { WORKER_FAILURE, type WorkerJob } from './worker-job.js';

function readIn(root: string, path: string): string | undefined {
  try {
    return readFileSync(resolveInRoot(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

/** `--chown=user[:group]`; a user without a group uses the same number as group (Docker's rule). */
function owner(root: string, chown: string | undefined): { uid: number; gid: number } {
  if (chown === undefined || chown === '') return { uid: 0, gid: 0 };
  const r = resolveUser(chown, readIn(root, '/etc/passwd'), readIn(root, '/etc/group'));
  return { uid: r.uid, gid: chown.includes(':') ? r.gid : /^\d+$/.test(chown) ? r.uid : r.gid };
}

function extractArchive(file: string, dest: string): void {
  let bytes = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  // ADD keeps `.wh.` names as they are: an archive is not a layer.
  const applier = new LayerApplier(dest, { whiteouts: 'aufs', opaqueXattr: 'user.overlay.opaque' });
  const reader = new TarReader(applier);
  reader.write(bytes);
  reader.end();
  applier.finish();
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: worker-main JOB.json');
  const job = JSON.parse(readFileSync(file, 'utf8')) as WorkerJob;
  process.umask(0o022);
  if (job.copy !== undefined) {
    const { root, chown, ...spec } = job.copy;
    applyCopy({ ...spec, owner: owner(root, chown) }, root, extractArchive);
  }
  const exclude = job.runtimeLowers !== undefined ? runtimeArtefacts(job.diff.upper, job.runtimeLowers) : [];
  const staged = await stageDiff({ ...job.diff, exclude });
  writeFileSync(`${file}.out`, JSON.stringify(staged), { mode: 0o600 });
}

main().catch((err: unknown) => {
  const e = err as { message?: string; code?: string; hint?: string };
  process.stderr.write(`${WORKER_FAILURE}${JSON.stringify({ message: e.message ?? String(err), code: e.code, hint: e.hint })}\n`);
  process.exit(1);
});
