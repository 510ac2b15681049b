// Which image a name means: locally (podman's LookupImage) and for a pull (short-name
// resolution). Both pure: the caller passes the images.json records and the merged
// registries configuration.
//
// Local lookup order, as podman 4.3.1 traces it with `--log-level debug` ("Trying …"):
//
//   sha256:<64 hex> or <64 hex>      → by id, nothing else
//   qualified name                   → the name (:latest added)
//   short name                       → user alias, registries.conf alias,
//                                      localhost/<name>, <search-registry>/<name>…
//   then                             → docker.io/library/<name> (ParseDockerRef)
//   then                             → the raw input as a stored name or an id prefix
//   then, with a digest              → any image that records the digest
//   then (short names, no digest)    → fuzzy: a stored repository ending in /<name>
//                                      with the same tag (default latest)
//
// A digested input drops its tag (`alpine:4@sha256:…` looks for alpine@sha256:…).
// Names in images.json are `repo:tag` (a pull by digest may add `repo@digest`), so the
// digest step is what usually finds a digested reference.

import { ExitCode, RrunError } from '../../oci/errors.js';
import { isFullId } from '../../oci/digest.js';
import {
  type ImageReference,
  type SplitReference,
  formatReference,
  isShortName,
  parseReference,
  repositoryName,
  splitReference,
  withDefaultTag,
} from '../../oci/reference.js';
import type { RegistriesConfig } from '../config/registries.js';

/** The fields of an images.json record that name lookup needs. */
export interface LocalImage {
  readonly id: string;
  readonly names?: readonly string[] | undefined;
  readonly digest?: string | undefined;
  readonly digests?: readonly string[] | undefined;
}

export interface LocalMatch<T extends LocalImage> {
  image: T;
  /** The stored name or candidate that matched; undefined when found by id. */
  matchedName?: string | undefined;
}

/** The parts of the registries configuration that name resolution reads. */
export type ShortNameConfig = Pick<
  RegistriesConfig,
  'unqualifiedSearchRegistries' | 'shortNameMode' | 'aliases' | 'userAliases' | 'mainPath'
>;

const SHA256_PREFIX = 'sha256:';

function notFound(input: string, hint?: string): RrunError {
  return new RrunError({
    code: 'ERR_IMAGE_NOT_FOUND',
    // podman 4.3.1: `podman image inspect nonexist` → "…: nonexist: image not known".
    message: `${input}: image not known`,
    hint: hint ?? `pull it first (rrun pull ${input}) or list local images with "rrun images"`,
    subject: input,
    exitCode: ExitCode.Internal,
  });
}

/** The reference with :latest added, or with its tag dropped when it has a digest. */
function lookupForm(ref: ImageReference): ImageReference {
  return ref.digest === undefined ? withDefaultTag(ref) : { ...ref, tag: undefined };
}

/** Attach the input's tag/digest to a repository typed as a string (alias, search reg). */
function qualify(repository: string, split: SplitReference): ImageReference {
  return lookupForm({ ...parseReference(repository), tag: split.tag, digest: split.digest });
}

function tryQualify(repository: string, split: SplitReference): ImageReference | undefined {
  try {
    return qualify(repository, split);
  } catch {
    return undefined;
  }
}

function aliasFor(name: string, config: ShortNameConfig): string | undefined {
  return config.userAliases.get(name) ?? config.aliases.get(name);
}

/** Candidates 3 and 4 of the order above, normalised, duplicates kept out. */
/** The configuration, or a function that reads it only when a short name needs it. */
export type ShortNameConfigSource = ShortNameConfig | (() => ShortNameConfig);

export function localCandidates(input: string, source: ShortNameConfigSource): ImageReference[] {
  const split = splitReference(input);
  const out: ImageReference[] = [];
  if (!isShortName(split.name)) out.push(lookupForm(parseReference(input)));
  else {
    const config = typeof source === 'function' ? source() : source;
    const alias = aliasFor(split.name, config);
    if (alias !== undefined) out.push(qualify(alias, split));
    // `Foo/bar` is short to upstream's IsShortName but `localhost/Foo/bar` is not a
    // valid name; podman skips such candidates rather than failing.
    for (const reg of ['localhost', ...config.unqualifiedSearchRegistries]) {
      const ref = tryQualify(`${reg}/${split.name}`, split);
      if (ref !== undefined) out.push(ref);
    }
  }
  out.push(lookupForm(parseReference(input)));
  const unique = new Map(out.map((r) => [formatReference(r), r] as const));
  return [...unique.values()];
}

function recordedDigests(image: LocalImage): string[] {
  return [...(image.digest === undefined ? [] : [image.digest]), ...(image.digests ?? [])];
}

/** The repository part of a stored name (`localhost/tmp/x:latest` → `localhost/tmp/x`). */
function storedRepository(name: string): { repository: string; tag?: string | undefined } | undefined {
  try {
    const ref = parseReference(name);
    return { repository: repositoryName(ref), tag: ref.tag };
  } catch {
    return undefined; // names-history junk or a foreign name: never matches
  }
}

/** Images whose id starts with `prefix` (c/storage's truncindex allows any length). */
function byIdPrefix<T extends LocalImage>(prefix: string, images: readonly T[]): T[] {
  if (!/^[a-f0-9]+$/.test(prefix)) return [];
  return images.filter((img) => img.id.startsWith(prefix));
}

/**
 * A digested input: any image that records the digest. Podman 4.3.1 does not compare
 * the repository here (`quay.io/x/y@<digest of busybox>` finds busybox); the digest
 * names the manifest, so the content is the same whatever the name.
 */
function byDigest<T extends LocalImage>(digest: string, images: readonly T[]): T | undefined {
  return images.find((img) => recordedDigests(img).includes(digest));
}

/** Short names only: a stored repository ending in `/<name>` with the same tag. */
function fuzzyMatch<T extends LocalImage>(split: SplitReference, images: readonly T[]): LocalMatch<T> | undefined {
  const suffix = `/${split.name}`;
  const tag = split.tag ?? 'latest';
  for (const image of images) {
    for (const stored of image.names ?? []) {
      const parsed = storedRepository(stored);
      if (parsed !== undefined && parsed.repository.endsWith(suffix) && parsed.tag === tag) return { image, matchedName: stored };
    }
  }
  return undefined;
}

function lookupById<T extends LocalImage>(input: string, images: readonly T[]): LocalMatch<T> {
  const hex = input.startsWith(SHA256_PREFIX) ? input.slice(SHA256_PREFIX.length) : input;
  if (!isFullId(hex)) {
    throw new RrunError({
      code: 'ERR_INVALID_REFERENCE',
      // podman 4.3.1: `podman image inspect sha256:5b` → "sha256:5b: invalid format: no 64-byte hexadecimal value"
      message: `${input}: invalid format: no 64-byte hexadecimal value`,
      hint: 'with the sha256: prefix give the full 64-character id; without it any unique prefix of the id works',
      subject: input,
    });
  }
  const image = images.find((img) => img.id === hex);
  if (image === undefined) throw notFound(input, 'no local image has this id; list them with "rrun images --no-trunc"');
  return { image };
}

function ambiguous(input: string, matches: readonly LocalImage[]): RrunError {
  const ids = matches.slice(0, 5).map((m) => m.id.slice(0, 12));
  return new RrunError({
    code: 'ERR_IMAGE_AMBIGUOUS',
    // podman 4.3.1 reports an ambiguous id prefix as plain "image not known"; we keep
    // its message and say why in the hint.
    message: `${input}: image not known`,
    hint: `the id prefix "${input}" matches ${matches.length} images (${ids.join(', ')}${matches.length > 5 ? ', …' : ''}); give more characters of the id`,
    subject: input,
  });
}

/**
 * Find the local image `input` names, in podman's order (see the top of this file).
 * Throws ERR_IMAGE_NOT_FOUND ("<input>: image not known", exit 125),
 * ERR_IMAGE_AMBIGUOUS for an id prefix shared by several images, or
 * ERR_INVALID_REFERENCE for a malformed name.
 */
export function lookupLocalImage<T extends LocalImage>(input: string, images: readonly T[], config: ShortNameConfigSource): LocalMatch<T> {
  if (input.startsWith(SHA256_PREFIX) || isFullId(input)) return lookupById(input, images);
  const split = splitReference(input);
  const byName = new Map<string, T>();
  for (const img of images) for (const n of img.names ?? []) if (!byName.has(n)) byName.set(n, img);
  for (const name of [...localCandidates(input, config).map(formatReference), input]) {
    const image = byName.get(name);
    if (image !== undefined) return { image, matchedName: name };
  }
  const prefixed = byIdPrefix(input, images);
  if (prefixed.length === 1 && prefixed[0] !== undefined) return { image: prefixed[0] };
  const digested = split.digest === undefined ? undefined : byDigest(split.digest, images);
  if (digested !== undefined) return { image: digested, matchedName: input };
  const fuzzy = split.digest === undefined && isShortName(split.name) ? fuzzyMatch(split, images) : undefined;
  if (fuzzy !== undefined) return fuzzy;
  throw prefixed.length > 1 ? ambiguous(input, prefixed) : notFound(input);
}

// ---------------------------------------------------------------------------
// Pull: short-name resolution (shortnames.Resolve)

export interface PullPlan {
  /** Normalised references to try, in order. */
  candidates: string[];
  /** Where the single candidate came from, when it was an alias. */
  alias?: { name: string; from: 'user-cache' | 'registries.conf' } | undefined;
  /**
   * The caller must ask the user to choose one candidate (and record the choice in
   * the user alias cache): several candidates, a TTY, and a mode that prompts.
   */
  prompt: boolean;
}

function unresolved(input: string, config: ShortNameConfig): RrunError {
  return new RrunError({
    code: 'ERR_SHORT_NAME_UNRESOLVED',
    // Exact wording of podman 4.3.1 (`podman run nonexist`).
    message: `short-name "${input}" did not resolve to an alias and no unqualified-search registries are defined in "${config.mainPath}"`,
    hint: `use a fully qualified name such as docker.io/library/${input}, or add an alias or unqualified-search-registries to ${config.mainPath}`,
    subject: input,
  });
}

/** Resolve `input` to the references a pull should try; `tty`: can we prompt? */
export function pullCandidates(input: string, config: ShortNameConfig, options: { tty: boolean } = { tty: false }): PullPlan {
  const split = splitReference(input);
  if (!isShortName(split.name)) return { candidates: [formatReference(withDefaultTag(parseReference(input)))], prompt: false };
  const user = config.userAliases.get(split.name);
  const alias = user ?? config.aliases.get(split.name);
  if (alias !== undefined) {
    const from = user !== undefined ? 'user-cache' : 'registries.conf';
    return { candidates: [formatReference(withDefaultTag(qualify(alias, split)))], alias: { name: split.name, from }, prompt: false };
  }
  if (config.unqualifiedSearchRegistries.length === 0) throw unresolved(input, config);
  const candidates = config.unqualifiedSearchRegistries.map((reg) => formatReference(withDefaultTag(qualify(`${reg}/${split.name}`, split))));
  if (candidates.length === 1 || config.shortNameMode === 'disabled') return { candidates, prompt: false };
  if (options.tty) return { candidates, prompt: true };
  if (config.shortNameMode === 'permissive') return { candidates, prompt: false };
  throw new RrunError({
    code: 'ERR_SHORT_NAME_ENFORCED',
    // Exact wording of podman 4.3.1 with short-name-mode = "enforcing" and no TTY.
    message: 'short-name resolution enforced but cannot prompt without a TTY',
    hint: `"${input}" could come from ${config.unqualifiedSearchRegistries.join(', ')}; use a fully qualified name such as ${candidates[0] ?? ''}`,
    subject: input,
  });
}
