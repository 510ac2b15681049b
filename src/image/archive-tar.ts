// An index of a tar file's members, read by seeking from header to header: an image
// archive (docker-archive, oci-archive) keeps its index (manifest.json, index.json) at
// either end, and its layers are hundreds of megabytes, so loading first finds every
// member and then streams the ones it needs straight from their offsets. Go's
// archive/tar rules, as in storage/tar-reader.ts: PAX `path`/`size`/`linkpath`, GNU
// long names, the USTAR prefix.
import { open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { RrunError } from '../../oci/errors.js';
import { parseNumeric, parsePax } from '../../storage/tar-reader.js';

const BLOCK = 512;

export interface TarMember {
  name: string;
  /** '0' file, '2' symlink, '5' directory, … */
  type: string;
  size: number;
  /** Offset of the member's data in the file. */
  offset: number;
  linkname: string;
}

/** Member names as archives spell them differently: `./a`, `a`, `/a` are one name. */
export function memberKey(name: string): string {
  return posix.normalize(`/${name}`).slice(1).replace(/\/+$/, '');
}

export function archiveError(what: string, file: string, why: string, hint?: string): RrunError {
  return new RrunError({ code: 'ERR_ARCHIVE', message: `${what} ${file}: ${why}`, subject: file, ...(hint !== undefined ? { hint } : {}) });
}

function cString(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return (nul === -1 ? s : s.subarray(0, nul)).toString('utf8');
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return parseNumeric(block, 148, 8) === sum;
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new Error('unexpected EOF');
  return buf;
}

interface Pending {
  path?: string | undefined;
  size?: number | undefined;
  link?: string | undefined;
}

function memberName(block: Buffer, pending: Pending): string {
  if (pending.path !== undefined) return pending.path;
  const name = cString(block, 0, 100);
  const prefix = block.subarray(257, 263).toString('latin1') === 'ustar\0' ? cString(block, 345, 155) : '';
  return prefix !== '' ? `${prefix}/${name}` : name;
}

/** Every member of the tar file `path`, by normalised name (a later member wins, as tar does). */
export async function indexTarFile(path: string): Promise<Map<string, TarMember>> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const members = new Map<string, TarMember>();
    let offset = 0;
    let pending: Pending = {};
    for (;;) {
      if (offset + BLOCK > size) throw new Error('unexpected EOF');
      const block = await readAt(fh, offset, BLOCK);
      if (block.every((b) => b === 0)) return members;
      if (!checksumOk(block)) throw new Error('archive/tar: invalid tar header');
      const type = String.fromCharCode(block[156] as number).replace('\0', '0');
      const len = pending.size ?? parseNumeric(block, 124, 12);
      const data = offset + BLOCK;
      const next = data + Math.ceil(len / BLOCK) * BLOCK;
      if (next > size) throw new Error('unexpected EOF');
      if (type === 'x' || type === 'L' || type === 'K') {
        const body = await readAt(fh, data, len);
        if (type === 'x') {
          const pax = parsePax(body);
          const num = pax.get('size');
          pending = { ...pending, path: pax.get('path')?.toString('utf8'), size: num !== undefined ? Number(num.toString()) : undefined, link: pax.get('linkpath')?.toString('utf8') };
        } else if (type === 'L') pending = { ...pending, path: cString(body, 0, body.length) };
        else pending = { ...pending, link: cString(body, 0, body.length) };
      } else if (type !== 'g') {
        const name = memberName(block, pending);
        members.set(memberKey(name), { name, type, size: headerOnly(type) || type === '5' ? 0 : len, offset: data, linkname: pending.link ?? cString(block, 157, 100) });
        pending = {};
      }
      offset = headerOnly(type) ? data : next;
    }
  } finally {
    await fh.close();
  }
}

// Types whose size field describes no data in the stream (Go's isHeaderOnlyType).
function headerOnly(type: string): boolean {
  return ['1', '2', '3', '4', '5', '6'].includes(type);
}
