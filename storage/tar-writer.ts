// Writing tar headers as Go's archive/tar does for c/storage's layer tars: USTAR when
// every field fits, else a PAX extended header ('x') before it (long names and link
// names, big ids or sizes, xattrs as `SCHILY.xattr.<name>`). Pure: bytes out, no I/O.
// Our TarReader parses the result, so everything written is checked on the way into
// the store.
const BLOCK = 512;

export interface TarEntry {
  /** Relative name; directories end with '/'. */
  name: string;
  /** '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo. */
  type: string;
  /** Permission bits with setuid/setgid/sticky (no file type bits). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (whole seconds, as c/storage writes for layers). */
  mtime: number;
  linkname?: string | undefined;
  uname?: string | undefined;
  gname?: string | undefined;
  devmajor?: number | undefined;
  devminor?: number | undefined;
  xattrs?: ReadonlyMap<string, Buffer> | undefined;
}

function octal(value: number, width: number): Buffer | undefined {
  const s = value.toString(8);
  if (value < 0 || s.length > width - 1) return undefined;
  return Buffer.from(`${s.padStart(width - 1, '0')}\0`, 'ascii');
}

function paxRecord(key: string, value: Buffer): Buffer {
  // "%d %s=%s\n" where %d counts the whole record, itself included.
  const rest = Buffer.byteLength(` ${key}=`) + value.length + 1;
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`), value, Buffer.from('\n')]);
}

function rawHeader(name: Buffer, fields: { mode: number; uid: number; gid: number; size: number; mtime: number; type: string; linkname: Buffer; uname: string; gname: string; devmajor: number; devminor: number }): Buffer {
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0, 0, 100);
  const put = (v: number, off: number, w: number): void => void (octal(v, w) ?? octal(0, w))?.copy(h, off);
  put(fields.mode, 100, 8);
  put(fields.uid, 108, 8);
  put(fields.gid, 116, 8);
  put(fields.size, 124, 12);
  put(fields.mtime, 136, 12);
  h.write(fields.type, 156, 'ascii');
  fields.linkname.copy(h, 157, 0, 100);
  h.write('ustar\u000000', 257, 'binary');
  h.write(fields.uname.slice(0, 31), 265, 'utf8');
  h.write(fields.gname.slice(0, 31), 297, 'utf8');
  if (fields.type === '3' || fields.type === '4') {
    put(fields.devmajor, 329, 8);
    put(fields.devminor, 337, 8);
  }
  return setChecksum(h);
}

/** Fill in a 512-byte header's checksum (the field itself counted as spaces), in place. */
export function setChecksum(h: Buffer): Buffer {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `, 'ascii').copy(h, 148);
  return h;
}

function paxNeeds(e: TarEntry): [string, Buffer][] {
  const recs: [string, Buffer][] = [];
  const name = Buffer.from(e.name);
  if (name.length > 100) recs.push(['path', name]);
  const link = Buffer.from(e.linkname ?? '');
  if (link.length > 100) recs.push(['linkpath', link]);
  if (octal(e.uid, 8) === undefined) recs.push(['uid', Buffer.from(String(e.uid))]);
  if (octal(e.gid, 8) === undefined) recs.push(['gid', Buffer.from(String(e.gid))]);
  if (octal(e.size, 12) === undefined) recs.push(['size', Buffer.from(String(e.size))]);
  for (const [k, v] of [...(e.xattrs ?? new Map<string, Buffer>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    recs.push([`SCHILY.xattr.${k}`, v]);
  }
  return recs;
}

/** The header block(s) of one member: an optional PAX header and its data, then the USTAR header. */
export function tarHeader(e: TarEntry): Buffer {
  const fields = {
    mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size: e.size, mtime: Math.floor(e.mtime), type: e.type,
    linkname: Buffer.from(e.linkname ?? ''), uname: e.uname ?? '', gname: e.gname ?? '',
    devmajor: e.devmajor ?? 0, devminor: e.devminor ?? 0,
  };
  const main = rawHeader(Buffer.from(e.name), fields);
  const pax = paxNeeds(e);
  if (pax.length === 0) return main;
  const data = Buffer.concat(pax.map(([k, v]) => paxRecord(k, v)));
  const base = e.name.replace(/\/$/, '').split('/').pop() ?? '';
  const dir = e.name.replace(/\/$/, '').split('/').slice(0, -1).join('/');
  const paxName = Buffer.from(`${dir === '' ? '' : `${dir}/`}PaxHeaders.0/${base}`);
  const header = rawHeader(paxName, { ...fields, type: 'x', size: data.length, linkname: Buffer.alloc(0) });
  return Buffer.concat([header, data, padding(data.length), main]);
}

/** Zero bytes that complete a member's data to the block size. */
export function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return Buffer.alloc(rem === 0 ? 0 : BLOCK - rem);
}

/** The end-of-archive marker: two zero blocks. */
export const TAR_TRAILER = Buffer.alloc(2 * BLOCK);
