// Where `load` reads an image archive from: the members of a tar file (found once by
// archive-tar.ts, then streamed from their offsets) or the files of an OCI layout
// directory. Symlinks inside a tar (docker-archive's legacy `<id>/layer.tar`) are
// followed within the archive.
import { createReadStream, lstatSync, realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { archiveError, indexTarFile, memberKey, type TarMember } from './archive-tar.js';

export interface ArchiveSource {
  /** The file or directory, for messages. */
  readonly where: string;
  has(name: string): boolean;
  size(name: string): number;
  /** A small member (manifest, config) in full; refuses more than `max` bytes. */
  read(name: string, max?: number): Promise<Buffer>;
  /** A member's bytes, streamed. */
  chunks(name: string): AsyncIterable<Buffer>;
}

const SMALL = 16 * 1024 * 1024;

function notFound(where: string, name: string): Error {
  return Object.assign(new Error(`file does not exist: ${name} in ${where}`), { code: 'ENOENT' });
}

export class TarFileSource implements ArchiveSource {
  private constructor(private readonly file: string, readonly where: string, private readonly members: Map<string, TarMember>) {}

  /** `where` names the archive in messages (`stdin` for a temporary copy). */
  static async open(file: string, where = file): Promise<TarFileSource> {
    return new TarFileSource(file, where, await indexTarFile(file));
  }

  private member(name: string, depth = 0): TarMember {
    const m = this.members.get(memberKey(name));
    if (m === undefined || depth > 16) throw notFound(this.where, name);
    if (m.type !== '2') return m;
    const target = m.linkname.startsWith('/') ? m.linkname : posix.join(posix.dirname(memberKey(name)), m.linkname);
    return this.member(target, depth + 1);
  }

  has(name: string): boolean {
    try {
      return this.member(name).type === '0' || this.member(name).type === '7';
    } catch {
      return false;
    }
  }

  size(name: string): number {
    return this.member(name).size;
  }

  async read(name: string, max = SMALL): Promise<Buffer> {
    const m = this.member(name);
    if (m.size > max) throw archiveError('reading', `${this.where}:${name}`, `${m.size} bytes is more than the ${max} expected`);
    const fh = await open(this.file, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      const { bytesRead } = await fh.read(buf, 0, m.size, m.offset);
      if (bytesRead !== m.size) throw new Error('unexpected EOF');
      return buf;
    } finally {
      await fh.close();
    }
  }

  chunks(name: string): AsyncIterable<Buffer> {
    const m = this.member(name);
    if (m.size === 0) return (async function* () {})();
    return createReadStream(this.file, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 1 << 20 });
  }
}

export class DirSource implements ArchiveSource {
  constructor(readonly where: string) {}

  /** The path of `name`, which must stay inside the directory after symlinks. */
  private path(name: string): string {
    const p = posix.join(this.where, memberKey(name));
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      throw notFound(this.where, name);
    }
    const root = realpathSync(this.where);
    if (real !== root && !real.startsWith(`${root}/`)) throw archiveError('reading', p, 'the path leaves the layout directory');
    return real;
  }

  has(name: string): boolean {
    try {
      return lstatSync(this.path(name)).isFile();
    } catch {
      return false;
    }
  }

  size(name: string): number {
    return lstatSync(this.path(name)).size;
  }

  async read(name: string, max = SMALL): Promise<Buffer> {
    const p = this.path(name);
    const size = lstatSync(p).size;
    if (size > max) throw archiveError('reading', p, `${size} bytes is more than the ${max} expected`);
    const fh = await open(p, 'r');
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  chunks(name: string): AsyncIterable<Buffer> {
    return createReadStream(this.path(name), { highWaterMark: 1 << 20 });
  }
}
