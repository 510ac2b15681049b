// A streaming tar parser that hides nothing: every byte of the archive reaches the sink
// either as member data or as "raw" bytes (headers, PAX/GNU extension blocks, padding,
// the trailer, anything after it). tar-split needs exactly that split (storage-format
// §5.3); the layer extractor needs the headers with PAX values kept as bytes, so xattrs
// stay byte-exact (deps.md §3: the npm tar parsers decode them as UTF-8).
//
// Push-based and synchronous: `write(chunk)` as the bytes arrive, `end()` at EOF. The
// rules are Go's archive/tar (what c/storage and tar-split use), not GNU tar's.
import { RrunError } from '../oci/errors.js';

const BLOCK = 512;

export interface TarHeader {
  /** The member name after PAX `path` / GNU long name / USTAR prefix, as bytes. */
  nameBytes: Buffer;
  name: string;
  /** Typeflag character ('0', '5', '2', …); '\0' is reported as '0'. */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (PAX may give a fraction). */
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** `SCHILY.xattr.<name>` PAX records, values byte-exact. */
  xattrs: Map<string, Buffer>;
}

export interface TarSink {
  /** Bytes that are not member data, in stream order. */
  raw(bytes: Buffer): void;
  /** A real member starts (its header bytes were already passed to raw()). */
  entry(header: TarHeader): void;
  /** Data of the current member (regular files only). */
  data(bytes: Buffer): void;
  /** The current member's data is complete. */
  entryEnd(): void;
  /** The end-of-archive marker was read; raw() may still follow with trailing bytes. */
  trailer(): void;
}

export function tarError(message: string): RrunError {
  return new RrunError({
    code: 'ERR_LAYER_TAR',
    message: `invalid layer tar: ${message}`,
    hint: 'the layer blob is damaged or not a tar archive; pull again or report it to the image maintainer',
  });
}

// Types whose header carries no data in the stream, whatever `size` says (Go's isHeaderOnlyType).
const headerOnly = new Set(['1', '2', '3', '4', '5', '6']);
const extensionTypes = new Set(['x', 'g', 'L', 'K']);

function cString(b: Buffer, off: number, len: number): Buffer {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return nul === -1 ? s : s.subarray(0, nul);
}

/** Octal (spaces/NULs trimmed) or GNU base-256 when the high bit is set. */
export function parseNumeric(b: Buffer, off: number, len: number): number {
  const f = b.subarray(off, off + len);
  if (f.length > 0 && ((f[0] as number) & 0x80) !== 0) {
    if (((f[0] as number) & 0x40) !== 0) throw tarError('negative base-256 number in a header');
    let v = (f[0] as number) & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + (f[i] as number);
    if (!Number.isSafeInteger(v)) throw tarError('base-256 number too large');
    return v;
  }
  const text = f.toString('latin1').replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw tarError(`bad octal field "${text}"`);
  return parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = parseNumeric(block, 148, 8);
  let unsigned = 0;
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return stored === unsigned;
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** PAX records: "<len> <key>=<value>\n", values kept as bytes. */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp === -1) break;
    const len = Number(data.subarray(off, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= sp - off || off + len > data.length) throw tarError('malformed PAX record');
    const rec = data.subarray(sp + 1, off + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq === -1) throw tarError('PAX record without "="');
    out.set(rec.subarray(0, eq).toString('utf8'), Buffer.from(rec.subarray(eq + 1)));
    off += len;
  }
  return out;
}

interface Pending {
  pax: Map<string, Buffer>;
  longName?: Buffer;
  longLink?: Buffer;
}

function applyPax(h: TarHeader, pax: Map<string, Buffer>): void {
  const num = (k: string): number | undefined => {
    const v = pax.get(k);
    if (v === undefined) return undefined;
    const n = Number(v.toString('latin1'));
    if (!Number.isFinite(n)) throw tarError(`bad PAX ${k}`);
    return n;
  };
  const path = pax.get('path');
  if (path !== undefined) h.nameBytes = path;
  const link = pax.get('linkpath');
  if (link !== undefined) h.linkname = link.toString('utf8');
  h.size = num('size') ?? h.size;
  h.uid = num('uid') ?? h.uid;
  h.gid = num('gid') ?? h.gid;
  h.mtime = num('mtime') ?? h.mtime;
  h.uname = pax.get('uname')?.toString('utf8') ?? h.uname;
  h.gname = pax.get('gname')?.toString('utf8') ?? h.gname;
  for (const [k, v] of pax) {
    if (k.startsWith('SCHILY.xattr.')) h.xattrs.set(k.slice('SCHILY.xattr.'.length), v);
    if (k.startsWith('GNU.sparse.')) throw tarError('GNU sparse files are not supported');
  }
}

function parseHeader(block: Buffer, pending: Pending): TarHeader {
  if (!checksumOk(block)) throw tarError('header checksum mismatch');
  const magic = block.subarray(257, 265).toString('latin1');
  let name = cString(block, 0, 100);
  // USTAR/PAX keep a prefix at 345; GNU ("ustar  \0") uses those bytes for times.
  if (magic.startsWith('ustar\0')) {
    const prefix = cString(block, 345, 155);
    if (prefix.length > 0) name = Buffer.concat([prefix, Buffer.from('/'), name]);
  }
  let type = String.fromCharCode(block[156] as number);
  if (type === '\0') type = '0';
  if (type === 'S') throw tarError('GNU sparse files are not supported');
  const h: TarHeader = {
    nameBytes: Buffer.from(name),
    name: '',
    type,
    mode: parseNumeric(block, 100, 8),
    uid: parseNumeric(block, 108, 8),
    gid: parseNumeric(block, 116, 8),
    size: parseNumeric(block, 124, 12),
    mtime: parseNumeric(block, 136, 12),
    linkname: cString(block, 157, 100).toString('utf8'),
    uname: cString(block, 265, 32).toString('utf8'),
    gname: cString(block, 297, 32).toString('utf8'),
    devmajor: parseNumeric(block, 329, 8),
    devminor: parseNumeric(block, 337, 8),
    xattrs: new Map(),
  };
  applyPax(h, pending.pax);
  if (pending.longName !== undefined) h.nameBytes = pending.longName;
  if (pending.longLink !== undefined) h.linkname = pending.longLink.toString('utf8');
  // Legacy archives mark directories by a trailing slash on a plain file.
  if (block[156] === 0 && h.nameBytes.at(-1) === 0x2f) h.type = '5';
  h.name = h.nameBytes.toString('utf8');
  return h;
}

type State =
  | { kind: 'header' }
  | { kind: 'ext'; type: string; remaining: number; pad: number; parts: Buffer[] }
  | { kind: 'data'; remaining: number; pad: number }
  | { kind: 'pad'; remaining: number }
  | { kind: 'zero' }
  | { kind: 'after' };

const padOf = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

export class TarReader {
  private state: State = { kind: 'header' };
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending = { pax: new Map() };
  private globalPax = new Map<string, Buffer>();

  constructor(private readonly sink: TarSink) {}

  get finished(): boolean {
    return this.state.kind === 'after';
  }

  write(chunk: Buffer): void {
    let b = this.buf.length > 0 ? Buffer.concat([this.buf, chunk]) : chunk;
    this.buf = Buffer.alloc(0);
    while (b.length > 0) {
      const used = this.step(b);
      if (used === 0) {
        this.buf = Buffer.from(b); // need a whole block; keep the tail
        return;
      }
      b = b.subarray(used);
    }
  }

  end(): void {
    if (this.state.kind !== 'after') throw tarError('archive ends before its end-of-archive marker (truncated layer?)');
  }

  /** Consume from `b`; returns how many bytes were used (0: need more). */
  private step(b: Buffer): number {
    const s = this.state;
    switch (s.kind) {
      case 'after':
        this.sink.raw(b);
        return b.length;
      case 'data': {
        const n = Math.min(s.remaining, b.length);
        this.sink.data(b.subarray(0, n));
        s.remaining -= n;
        if (s.remaining === 0) {
          this.sink.entryEnd();
          this.state = s.pad > 0 ? { kind: 'pad', remaining: s.pad } : { kind: 'header' };
        }
        return n;
      }
      case 'pad': {
        const n = Math.min(s.remaining, b.length);
        this.sink.raw(b.subarray(0, n));
        s.remaining -= n;
        if (s.remaining === 0) this.state = { kind: 'header' };
        return n;
      }
      case 'ext':
        return this.extData(s, b);
      case 'zero':
        return this.secondZero(b);
      case 'header':
        return this.header(b);
    }
  }

  private secondZero(b: Buffer): number {
    if (b.length < BLOCK) return 0;
    const block = b.subarray(0, BLOCK);
    if (!isZero(block)) throw tarError('a single zero block in the middle of the archive');
    this.sink.raw(block);
    this.state = { kind: 'after' };
    this.sink.trailer();
    return BLOCK;
  }

  private extData(s: Extract<State, { kind: 'ext' }>, b: Buffer): number {
    const n = Math.min(s.remaining + s.pad, b.length);
    const dataPart = b.subarray(0, Math.min(n, s.remaining));
    s.parts.push(Buffer.from(dataPart));
    this.sink.raw(b.subarray(0, n));
    const fromData = dataPart.length;
    s.remaining -= fromData;
    s.pad -= n - fromData;
    if (s.remaining === 0 && s.pad === 0) {
      this.finishExt(s.type, Buffer.concat(s.parts));
      this.state = { kind: 'header' };
    }
    return n;
  }

  private finishExt(type: string, data: Buffer): void {
    if (type === 'x') for (const [k, v] of parsePax(data)) this.pending.pax.set(k, v);
    else if (type === 'g') for (const [k, v] of parsePax(data)) this.globalPax.set(k, v);
    else if (type === 'L') this.pending.longName = cString(data, 0, data.length);
    else this.pending.longLink = cString(data, 0, data.length);
  }

  private header(b: Buffer): number {
    if (b.length < BLOCK) return 0;
    const block = b.subarray(0, BLOCK);
    this.sink.raw(block);
    if (isZero(block)) {
      this.state = { kind: 'zero' };
      return BLOCK;
    }
    const merged: Pending = { ...this.pending, pax: new Map([...this.globalPax, ...this.pending.pax]) };
    const h = parseHeader(block, merged);
    if (extensionTypes.has(h.type)) {
      if (h.size > 16 * 1024 * 1024) throw tarError(`extension header of ${h.size} bytes`);
      this.state = { kind: 'ext', type: h.type, remaining: h.size, pad: padOf(h.size), parts: [] };
      if (h.size === 0) {
        this.finishExt(h.type, Buffer.alloc(0));
        this.state = { kind: 'header' };
      }
      return BLOCK;
    }
    this.pending = { pax: new Map() };
    const size = headerOnly.has(h.type) ? 0 : h.size;
    this.sink.entry(h);
    if (size === 0) {
      this.sink.entryEnd();
      this.state = { kind: 'header' };
    } else this.state = { kind: 'data', remaining: size, pad: padOf(size) };
    return BLOCK;
  }
}
