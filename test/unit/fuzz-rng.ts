// Seeded randomness for the property and fuzz tests: the same seed gives the same cases,
// so a failure names its seed and iteration and replays exactly (RRUN_FUZZ_SEED=n).

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  /** A 64-bit value biased towards edges (0, all ones, 32-bit boundaries). */
  u64(): bigint;
  bytes(n: number): Uint8Array;
}

/** mulberry32: small, fast, good enough to spread test cases. */
export function rng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const u32 = (): bigint => BigInt(Math.floor(next() * 4294967296));
  const edges = [0n, 1n, 0xffffffffn, 0x100000000n, 0xffffffff00000000n, (1n << 64n) - 1n, 0x7fffffffn, 0x80000000n];
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] as T,
    u64: () => {
      const r = int(4);
      if (r === 0) return edges[int(edges.length)] as bigint;
      if (r === 1) return BigInt(int(64));
      return (u32() << 32n) | u32();
    },
    bytes: (n) => Uint8Array.from({ length: n }, () => int(256)),
  };
}

/** The seed for this run: RRUN_FUZZ_SEED or a fixed default (reproducible CI). */
export const fuzzSeed = (): number => Number(process.env['RRUN_FUZZ_SEED'] ?? 20240901);
