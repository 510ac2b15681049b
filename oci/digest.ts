// Content digests, `algorithm:hex`, as OCI image-spec "Digests" defines them.
//
// Only the algorithms the registries and podman's store use are accepted; anything
// else is rejected with the same words go-digest uses, because users meet those words
// in podman's output ("unsupported digest algorithm", "invalid checksum digest length").

import { RrunError } from './errors.js';

/** A validated `sha256:<64 hex>` or `sha512:<128 hex>` string. */
export type Digest = string & { readonly __brand: 'Digest' };

export type DigestAlgorithm = 'sha256' | 'sha512';

/** Hex length of each supported algorithm's encoded value. */
const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha512: 128 };

// The grammar accepts any registered-looking algorithm so that we can tell "unknown
// algorithm" apart from "not a digest at all".
const DIGEST_SHAPE = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const LOWER_HEX = /^[a-f0-9]+$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** Why `s` is not a digest, or undefined when it is one. */
export function digestProblem(s: string): string | undefined {
  const m = DIGEST_SHAPE.exec(s);
  if (m === null) return 'invalid checksum digest format';
  const algorithm = m[1] ?? '';
  const hex = m[2] ?? '';
  if (!Object.hasOwn(HEX_LENGTH, algorithm)) return 'unsupported digest algorithm';
  if (hex.length !== HEX_LENGTH[algorithm as DigestAlgorithm]) return 'invalid checksum digest length';
  if (!LOWER_HEX.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

export function isDigest(s: string): s is Digest {
  return digestProblem(s) === undefined;
}

/** Validate `s` as a digest; throws ERR_INVALID_DIGEST naming the input and the reason. */
export function parseDigest(s: string): Digest {
  const problem = digestProblem(s);
  if (problem !== undefined) {
    throw new RrunError({
      code: 'ERR_INVALID_DIGEST',
      message: `invalid digest "${s}": ${problem}`,
      hint: 'a digest is "sha256:" followed by 64 lowercase hex characters (or "sha512:" and 128)',
      subject: s,
    });
  }
  return s as Digest;
}

/** Split a digest into its algorithm and hex value. */
export function splitDigest(d: Digest): ParsedDigest {
  const colon = d.indexOf(':');
  return { algorithm: d.slice(0, colon) as DigestAlgorithm, hex: d.slice(colon + 1) };
}

/** The hex part of a digest: what podman prints as an image id. */
export function digestHex(d: Digest): string {
  return splitDigest(d).hex;
}

/** `sha256:` + hex, for a hex string already known to be a sha256 value. */
export function sha256Digest(hex: string): Digest {
  return parseDigest(`sha256:${hex}`);
}

/** True for a full 64-character lowercase hex string (an image, layer or container id). */
export function isFullId(s: string): boolean {
  return s.length === 64 && LOWER_HEX.test(s);
}
