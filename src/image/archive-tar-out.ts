// Writing an image archive as a tar stream: small members from memory, big ones (layer
// tars) streamed with their size given up front, backpressure respected. Headers are
// storage/tar-writer.ts's; c/image writes docker-archive members as read-only files
// owned by 0:0 dated 1970, which is what `docker` gives.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { RrunError } from '../../oci/errors.js';
import { padding, tarHeader, TAR_TRAILER, type TarEntry, setChecksum } from '../../storage/tar-writer.js';

export interface MemberStyle {
  fileMode: number;
  dirMode: number;
  mtime: number;
}

/** docker-archive (c/image's tarfile writer): 0444, epoch. */
export const dockerStyle: MemberStyle = { fileMode: 0o444, dirMode: 0o755, mtime: 0 };

/** 'drain', or the stream's end or error, with the listeners removed again. */
function drained(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      w.off('drain', ok).off('close', ok).off('error', done);
      if (err instanceof Error) reject(err);
      else resolve();
    };
    const ok = (): void => done();
    w.once('drain', ok).once('close', ok).once('error', done);
  });
}

/** Go's USTAR writer fills devmajor/devminor with zeros for every member; the checksum follows. */
function goUstar(h: Buffer): Buffer {
  if (h.length !== 512 || h[156] === 0x33 || h[156] === 0x34) return h;
  h.write('0000000\0', 329, 'latin1');
  h.write('0000000\0', 337, 'latin1');
  return setChecksum(h);
}

export class TarOut {
  /** `close`: end `out` after the trailer (not for process.stdout, which stays open). */
  constructor(private readonly out: Writable, private readonly style: MemberStyle, private readonly close = true) {}

  private async put(b: Buffer): Promise<void> {
    if (b.length === 0) return;
    if (!this.out.write(b)) await drained(this.out);
    if (this.out.destroyed) throw new RrunError({ code: 'ERR_SAVE_WRITE', message: 'the output closed while the archive was written' });
  }

  private header(e: TarEntry): Promise<void> {
    return this.put(goUstar(tarHeader(e)));
  }

  private entry(name: string, type: string, size: number, extra: Partial<TarEntry> = {}): TarEntry {
    const mode = type === '5' ? this.style.dirMode : type === '2' ? 0 : this.style.fileMode;
    return { name, type, mode, uid: 0, gid: 0, size, mtime: this.style.mtime, ...extra };
  }

  async file(name: string, bytes: Buffer): Promise<void> {
    await this.header(this.entry(name, '0', bytes.length));
    await this.put(bytes);
    await this.put(padding(bytes.length));
  }

  async dir(name: string): Promise<void> {
    await this.header(this.entry(name.endsWith('/') ? name : `${name}/`, '5', 0));
  }

  async symlink(name: string, target: string): Promise<void> {
    await this.header(this.entry(name, '2', 0, { linkname: target }));
  }

  /** A member of exactly `size` bytes from `chunks`; a short or long stream is an error. */
  async stream(name: string, size: number, chunks: AsyncIterable<Buffer>): Promise<void> {
    await this.header(this.entry(name, '0', size));
    let n = 0;
    for await (const c of chunks) {
      n += c.length;
      if (n > size) break;
      await this.put(c);
    }
    if (n !== size) {
      throw new RrunError({ code: 'ERR_SAVE_LAYER', message: `${name}: the stored layer has ${n > size ? 'more' : 'fewer'} than the ${size} bytes its record says`, subject: name });
    }
    await this.put(padding(size));
  }

  async end(): Promise<void> {
    await this.put(TAR_TRAILER);
    if (!this.close) return;
    this.out.end();
    if (!this.out.writableFinished) await once(this.out, 'finish');
  }
}
