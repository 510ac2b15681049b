// Writing podman's files the way c/storage does (AtomicWriteFile): a temporary file in
// the same directory, data synced, mode set, renamed over the target. A reader — podman
// included — sees the old file or the new one, never a torn one.
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { randomBytes } from './random.js';
import { basename, dirname, join } from 'node:path';

export function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = join(dirname(path), `.tmp-${basename(path)}${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fchmodSync(fd, mode);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}
