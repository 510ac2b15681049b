// CRC-64 with the ISO polynomial, as Go's hash/crc64 computes it with
// crc64.MakeTable(crc64.ISO): reflected polynomial 0xD800000000000000, the register
// inverted before and after. tar-split records it for every file of a layer
// (storage-format §5.2) and checks it when it rebuilds the tar for a push, so ours
// must agree bit for bit. The 64-bit register is kept as two uint32 halves: BigInt
// arithmetic per byte would be far too slow for layers of hundreds of megabytes.

const POLY_HI = 0xd8000000;
const POLY_LO = 0x00000000;

function makeTables(): { hi: Uint32Array; lo: Uint32Array } {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let h = 0;
    let l = i;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        h = (h ^ POLY_HI) >>> 0;
        l = (l ^ POLY_LO) >>> 0;
      }
    }
    hi[i] = h;
    lo[i] = l;
  }
  return { hi, lo };
}

const table = makeTables();

/**
 * Slicing-by-8 tables: T[k][b] is the register after byte b followed by k zero bytes, so
 * eight bytes cost eight independent lookups instead of a chain of eight. T[0] is the
 * bytewise table. Each 64-bit entry is again two uint32 halves, T[k] at k * 256.
 */
function makeSlicingTables(): { hi: Uint32Array; lo: Uint32Array } {
  const hi = new Uint32Array(8 * 256);
  const lo = new Uint32Array(8 * 256);
  hi.set(table.hi);
  lo.set(table.lo);
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      const ph = hi[(k - 1) * 256 + b] as number;
      const pl = lo[(k - 1) * 256 + b] as number;
      const idx = pl & 0xff;
      lo[k * 256 + b] = (((pl >>> 8) | (ph << 24)) ^ (table.lo[idx] as number)) >>> 0;
      hi[k * 256 + b] = ((ph >>> 8) ^ (table.hi[idx] as number)) >>> 0;
    }
  }
  return { hi, lo };
}

const slicing = makeSlicingTables();

/** An incremental CRC-64/ISO; `digest()` gives Go's `Sum(nil)`: 8 bytes big-endian. */
export class Crc64 {
  // The register, already inverted (Go's `crc = ^crc` on entry to Update).
  private hi = 0xffffffff;
  private lo = 0xffffffff;

  update(data: Uint8Array): this {
    const th = table.hi;
    const tl = table.lo;
    const sh = slicing.hi;
    const sl = slicing.lo;
    let hi = this.hi;
    let lo = this.lo;
    let i = 0;
    const end8 = data.length - (data.length % 8);
    for (; i < end8; i += 8) {
      // The register's low half meets bytes 0-3, its high half bytes 4-7 (little-endian).
      const a = (lo ^ ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24))) >>> 0;
      const b = (hi ^ ((data[i + 4] as number) | ((data[i + 5] as number) << 8) | ((data[i + 6] as number) << 16) | ((data[i + 7] as number) << 24))) >>> 0;
      const i7 = 7 * 256 + (a & 0xff), i6 = 6 * 256 + ((a >>> 8) & 0xff), i5 = 5 * 256 + ((a >>> 16) & 0xff), i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff), i2 = 2 * 256 + ((b >>> 8) & 0xff), i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
      lo = ((sl[i7] as number) ^ (sl[i6] as number) ^ (sl[i5] as number) ^ (sl[i4] as number) ^ (sl[i3] as number) ^ (sl[i2] as number) ^ (sl[i1] as number) ^ (sl[i0] as number)) >>> 0;
      hi = ((sh[i7] as number) ^ (sh[i6] as number) ^ (sh[i5] as number) ^ (sh[i4] as number) ^ (sh[i3] as number) ^ (sh[i2] as number) ^ (sh[i1] as number) ^ (sh[i0] as number)) >>> 0;
    }
    for (; i < data.length; i++) {
      const idx = (lo ^ (data[i] as number)) & 0xff;
      const nlo = (lo >>> 8) | (hi << 24);
      lo = (nlo ^ (tl[idx] as number)) >>> 0;
      hi = ((hi >>> 8) ^ (th[idx] as number)) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE((~this.hi) >>> 0, 0);
    out.writeUInt32BE((~this.lo) >>> 0, 4);
    return out;
  }
}

export function crc64(data: Uint8Array): Buffer {
  return new Crc64().update(data).digest();
}
