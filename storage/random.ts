// Random ids, names and file-name suffixes without node:crypto, whose module graph costs
// ~4 ms to load: more than anything else on `rrun run`'s start-up path that it would
// serve. Bytes come from the kernel's CSPRNG (/dev/urandom, what getrandom(2) reads),
// drawn in blocks.
import { closeSync, openSync, readSync } from 'node:fs';

const BLOCK = 512;
let pool = Buffer.alloc(0);
let used = 0;

function refill(min: number): void {
  pool = Buffer.allocUnsafe(Math.max(BLOCK, min));
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let off = 0; off < pool.length; ) {
      const n = readSync(fd, pool, off, pool.length - off, null);
      if (n <= 0) throw new Error('/dev/urandom: short read');
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  used = 0;
}

/** `n` bytes from the kernel's CSPRNG; each byte is handed out once. */
export function randomBytes(n: number): Buffer {
  if (used + n > pool.length) refill(n);
  const out = Buffer.from(pool.subarray(used, used + n));
  pool.fill(0, used, used + n);
  used += n;
  return out;
}

/** A uniformly distributed integer in [0, max), max ≤ 2^32 (rejection sampling). */
export function randomInt(max: number): number {
  if (!Number.isInteger(max) || max <= 0 || max > 2 ** 32) throw new RangeError(`randomInt: max must be an integer in 1..2^32, got ${max}`);
  const limit = 2 ** 32 - (2 ** 32 % max);
  for (;;) {
    const v = randomBytes(4).readUInt32LE(0);
    if (v < limit) return v % max;
  }
}
