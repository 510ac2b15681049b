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

/** An incremental CRC-64/ISO; `digest()` gives Go's `Sum(nil)`: 8 bytes big-endian. */
export class Crc64 {
  // The register, already inverted (Go's `crc = ^crc` on entry to Update).
  private hi = 0xffffffff;
  private lo = 0xffffffff;

  update(data: Uint8Array): this {
    const th = table.hi;
    const tl = table.lo;
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < data.length; i++) {
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
