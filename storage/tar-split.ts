// tar-split: c/storage's record of a layer's exact tar stream, `overlay-layers/<id>.tar-split.gz`
// (storage-format §5). Podman rebuilds the layer tar from it and the files in `diff/`
// for push and save, and checks the result against the diff digest, so what we write
// must cut the stream exactly as tar-split's disassembler does:
//
//   segment(raw bytes since the previous member's data: padding, PAX/GNU blocks, header)
//   file{name, size, crc64 of the data | null}
//   … for every member …
//   segment(padding + the two zero blocks)
//   segment(≤ 1 MiB of trailing bytes)…
//   segment("")            ← tar-split v0.11.2 (podman 4.3) always ends with this one
//
// Entries are JSON lines in Go's struct order: type, name|name_raw, size, payload, position.
import { createGzip, gunzipSync } from 'node:zlib';
import { posix } from 'node:path';
import type { Writable } from 'node:stream';
import { Crc64 } from './crc64.js';
import { tarError, type TarHeader, type TarSink } from './tar-reader.js';

export const EntryType = { File: 1, Segment: 2 } as const;

export interface TarSplitEntry {
  type: number;
  name?: string;
  name_raw?: string;
  size?: number;
  payload: string | null;
  position: number;
}

const TRAILING_CHUNK = 1024 * 1024;

/** filepath.Clean as tar-split's duplicate check applies it. */
function cleanName(name: string): string {
  const n = posix.normalize(name);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** Builds the entries while a TarReader feeds it; `lines()` are what goes into the gzip. */
export class TarSplitBuilder implements TarSink {
  private rawParts: Buffer[] = [];
  private position = 0;
  private current: TarHeader | undefined;
  private crc: Crc64 | undefined;
  private afterTrailer = false;
  private readonly seen = new Set<string>();

  constructor(private readonly emit: (line: string) => void) {}

  raw(bytes: Buffer): void {
    this.rawParts.push(bytes);
  }

  entry(h: TarHeader): void {
    this.flushSegment();
    const clean = cleanName(h.name);
    // c/storage refuses a layer whose tar names a path twice (ErrDuplicatePath).
    if (this.seen.has(clean)) throw tarError(`the path ${JSON.stringify(h.name)} appears twice`);
    this.seen.add(clean);
    this.current = h;
    this.crc = h.size > 0 ? new Crc64() : undefined;
  }

  data(bytes: Buffer): void {
    this.crc?.update(bytes);
  }

  entryEnd(): void {
    const h = this.current;
    if (h === undefined) return;
    const utf8 = Buffer.from(h.name, 'utf8').equals(h.nameBytes);
    const entry: TarSplitEntry = {
      type: EntryType.File,
      ...(utf8 ? (h.name !== '' ? { name: h.name } : {}) : { name_raw: h.nameBytes.toString('base64') }),
      ...(h.size > 0 ? { size: h.size } : {}),
      payload: this.crc === undefined ? null : this.crc.digest().toString('base64'),
      position: this.position++,
    };
    this.emit(goJsonLine(entry));
    this.current = undefined;
    this.crc = undefined;
  }

  trailer(): void {
    this.flushSegment();
    this.afterTrailer = true;
  }

  /** After the last byte: trailing bytes in ≤ 1 MiB segments, then the empty segment. */
  finish(): void {
    if (!this.afterTrailer) throw tarError('archive ends before its end-of-archive marker (truncated layer?)');
    const rest = Buffer.concat(this.rawParts);
    this.rawParts = [];
    for (let off = 0; off < rest.length; off += TRAILING_CHUNK) this.segment(rest.subarray(off, off + TRAILING_CHUNK));
    this.segment(Buffer.alloc(0));
  }

  private flushSegment(): void {
    if (this.rawParts.length === 0) return;
    const bytes = Buffer.concat(this.rawParts);
    this.rawParts = [];
    if (bytes.length > 0) this.segment(bytes);
  }

  private segment(bytes: Buffer): void {
    this.emit(goJsonLine({ type: EntryType.Segment, payload: bytes.toString('base64'), position: this.position++ }));
  }
}

/** Go's json.Encoder output for an entry: HTML-safe escapes, then a newline. */
function goJsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/**
 * A builder whose lines go through gzip into `out` (c/storage compresses with pgzip at
 * BestSpeed; any gzip is fine for its reader). `close()` resolves once `out` has it all.
 */
export function tarSplitToStream(out: Writable): { builder: TarSplitBuilder; close: () => Promise<void> } {
  const gz = createGzip({ level: 1 });
  gz.pipe(out);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    gz.on('error', reject);
  });
  // Lines are batched: one gzip write per JSON line (one per member, tens of thousands for
  // a node_modules layer) meant a thread-pool round trip each.
  let pending: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (pending.length > 0) gz.write(pending.join(''));
    pending = [];
    size = 0;
  };
  const builder = new TarSplitBuilder((line) => {
    pending.push(line);
    size += line.length;
    if (size >= 1 << 18) flush();
  });
  return {
    builder,
    close: async () => {
      builder.finish();
      flush();
      gz.end();
      await done;
    },
  };
}

/** Parse a tar-split file (gzip of whitespace-separated JSON values). */
export function parseTarSplit(gz: Buffer): TarSplitEntry[] {
  const text = gunzipSync(gz).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TarSplitEntry);
}

export interface FileGetter {
  /** The contents of `name` (a member name as recorded) from the layer's files. */
  (name: string, size: number): Buffer;
}

/**
 * Rebuild the exact layer tar from tar-split entries and the layer's files, checking
 * every file's CRC as tar-split's assembler does. Yields the tar in pieces.
 */
export function* assembleTar(entries: Iterable<TarSplitEntry>, getFile: FileGetter): Generator<Buffer> {
  for (const e of entries) {
    if (e.type === EntryType.Segment) {
      if (e.payload) yield Buffer.from(e.payload, 'base64');
      continue;
    }
    const size = e.size ?? 0;
    if (size === 0) continue;
    const name = e.name ?? Buffer.from(e.name_raw ?? '', 'base64').toString('utf8');
    const data = getFile(name, size);
    if (data.length !== size || e.payload === null || !new Crc64().update(data).digest().equals(Buffer.from(e.payload, 'base64'))) {
      throw tarError(`file integrity checksum failed for ${JSON.stringify(name)}`);
    }
    yield data;
  }
}
