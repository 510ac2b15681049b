// The copy worker as a process: `node worker-main.js JOB.json`, run as root in the
// container's user namespace (src/copy/launch.ts), so it reads and writes files of
// every container id, and host files as the user. Container paths are resolved below
// the container's root with symlinks followed *inside* it (a link to /etc means the
// container's /etc); everything is moved as a tar stream through our reader and the
// layer extractor, whose chroot-style resolution keeps each member below the landing
// directory. A failure is one prefixed JSON line on stderr and exit 1.
import { chmodSync, lchownSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { posix } from 'node:path';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { LayerApplier } from '../../storage/layer-apply.js';
import { TarReader, type TarHeader, type TarSink } from '../../storage/tar-reader.js';
import { resolveInRoot } from '../build/copy.js';
import { landing, sourceName, type Kind } from './args.js';
import { pack } from './pack.js';
import { COPY_FAILURE, type CopyJob, type VolumeInitJob, type WorkerJob } from './job.js';

/** Rewrites every member's owner on its way to the extractor. */
class OwnerSink implements TarSink {
  constructor(private readonly inner: TarSink, private readonly owner: { uid: number; gid: number } | undefined) {}
  raw(b: Buffer): void {
    this.inner.raw(b);
  }
  entry(h: TarHeader): void {
    this.inner.entry(this.owner === undefined ? h : { ...h, uid: this.owner.uid, gid: this.owner.gid });
  }
  data(b: Buffer): void {
    this.inner.data(b);
  }
  entryEnd(): void {
    this.inner.entryEnd();
  }
  trailer(): void {
    this.inner.trailer();
  }
}

function kindOf(path: string): Kind {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return 'none';
    throw err;
  }
}

function notFound(path: string, where: string): RrunError {
  return new RrunError({ code: 'ERR_CP_NOT_FOUND', message: `"${path}" could not be found on ${where}: no such file or directory`, subject: path });
}

function notDir(what: string): RrunError {
  return new RrunError({ code: 'ERR_CP_NOT_DIR', message: `destination must be a directory when copying ${what}` });
}

/** Both sides as the worker sees them: the container's through its root, the host's as is. */
interface Side {
  where: string;
  resolve(path: string): string;
}

function sides(job: CopyJob): { container: Side; host: Side } {
  return {
    container: { where: `container ${job.containerLabel}`, resolve: (p) => resolveInRoot(job.root, p) },
    host: { where: 'the host', resolve: (p) => (kindOf(p) === 'none' ? p : realpathSync(p)) },
  };
}

function extractInto(dir: string, owner: CopyJob['owner']): { sink: TarSink; done: () => void } {
  const applier = new LayerApplier(dir, { whiteouts: 'aufs', opaqueXattr: 'user.overlay.opaque' });
  return { sink: new OwnerSink(applier, owner), done: () => applier.finish() };
}

async function toStdout(chunks: Iterable<Buffer>): Promise<void> {
  for (const chunk of chunks) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

async function fromStdin(job: CopyJob, dest: Side): Promise<void> {
  const dir = dest.resolve(job.containerPath);
  const kind = kindOf(dir);
  if (kind === 'none') throw notFound(job.containerPath, dest.where);
  if (kind !== 'dir') throw notDir('from stdin');
  const { sink, done } = extractInto(dir, job.owner);
  const reader = new TarReader(sink);
  for await (const chunk of process.stdin) reader.write(chunk as Buffer);
  reader.end();
  done();
}

async function copy(job: CopyJob): Promise<void> {
  const { container, host } = sides(job);
  if (job.direction === 'in' && job.hostPath === '-') return fromStdin(job, container);
  const [from, to, srcPath, destPath] = job.direction === 'in'
    ? [host, container, job.hostPath, job.containerPath] : [container, host, job.containerPath, job.hostPath];
  const src = from.resolve(srcPath);
  const srcKind = kindOf(src);
  if (srcKind === 'none') throw notFound(srcPath, from.where);
  const name = sourceName(srcPath);
  if (destPath === '-') return toStdout(pack(src, name));
  const dest = to.resolve(destPath);
  const parent = posix.dirname(destPath.replace(/\/+$/, '') || '/');
  const l = landing({ dest: destPath, destKind: kindOf(dest), parentKind: kindOf(to.resolve(parent)), srcIsDir: srcKind === 'dir', srcName: name });
  if ('error' in l) throw l.error === 'not-dir' ? notDir('a directory') : notFound(destPath, to.where);
  // Container → host: everything belongs to the user (root here); host → container: -a's owner.
  const { sink, done } = extractInto(to.resolve(l.dir), job.direction === 'out' ? { uid: 0, gid: 0 } : job.owner);
  const reader = new TarReader(sink);
  for (const chunk of pack(src, l.name)) reader.write(chunk);
  reader.end();
  done();
}

function initVolume(job: VolumeInitJob): void {
  const src = resolveInRoot(job.root, job.containerPath);
  const st = kindOf(src) === 'dir' ? statSync(src) : undefined;
  if (st === undefined) {
    lchownSync(job.data, job.owner.uid, job.owner.gid);
    return;
  }
  if (job.copyUp) {
    const { sink, done } = extractInto(job.data, undefined);
    const reader = new TarReader(sink);
    for (const chunk of pack(src, '.')) reader.write(chunk);
    reader.end();
    done();
  }
  lchownSync(job.data, st.uid, st.gid);
  chmodSync(job.data, st.mode & 0o7777);
}

function chownTree(path: string, uid: number, gid: number): void {
  lchownSync(path, uid, gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const n of readdirSync(path)) chownTree(`${path}/${n}`, uid, gid);
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: worker-main JOB.json');
  process.umask(0o022);
  const job = JSON.parse(readFileSync(file, 'utf8')) as WorkerJob;
  if (job.kind === 'chown') return chownTree(job.path, job.uid, job.gid);
  if (job.kind === 'volume-init') return initVolume(job);
  lstatSync(job.root);
  await copy(job);
}

main().catch((err: unknown) => {
  const e = err as { message?: string; code?: string; hint?: string };
  process.stderr.write(`${COPY_FAILURE}${JSON.stringify({ message: e.message ?? String(err), code: e.code, hint: e.hint })}\n`);
  process.exit(1);
});
