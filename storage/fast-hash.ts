// A 64-bit non-cryptographic hash of a string (two FNV-1a lanes with different offsets,
// finished with a murmur3 mix) for names of cache files. Not for anything an adversary
// chooses: every cache that uses it also keeps and compares the whole input, so a
// collision is only a cache miss.
export function fastHash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return hex32(mix(a ^ text.length)) + hex32(mix(b + text.length));
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
