// Image references: `[domain[:port]/]path[:tag][@digest]`, the grammar of the
// distribution project's reference package, normalised the way podman stores names
// (docker.io/library/busybox:latest).
//
// Two levels, as upstream has them:
// - splitReference: grammar only, no defaults ("busybox" stays "busybox"). Short-name
//   resolution needs the name as typed.
// - parseReference: ParseNormalizedNamed — adds docker.io and library/, so the result
//   is what images.json `names` hold once withDefaultTag has added `:latest`.

import { RrunError } from './errors.js';
import { type Digest, digestProblem } from './digest.js';

/** A normalised reference. `domain` is never empty. */
export interface ImageReference {
  readonly domain: string;
  /** Repository path below the domain, e.g. `library/busybox`. */
  readonly path: string;
  readonly tag?: string | undefined;
  readonly digest?: Digest | undefined;
}

/** A reference split by the grammar only: `name` is everything before the tag. */
export interface SplitReference {
  readonly name: string;
  readonly tag?: string | undefined;
  readonly digest?: Digest | undefined;
}

export const DOCKER_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
/** Docker Hub's official images live under this namespace. */
const OFFICIAL_NAMESPACE = 'library';
/** distribution's NameTotalLengthMax. */
const NAME_MAX = 255;
/** Guard before running the regexes on hostile input; real references are far shorter. */
const INPUT_MAX = 4096;

// The grammar, one piece per line so it can be checked against the distribution spec.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const FULL_HEX_ID = /^[a-f0-9]{64}$/;

function invalid(input: string, why: string, hint?: string): RrunError {
  return new RrunError({
    code: 'ERR_INVALID_REFERENCE',
    message: `${input}: invalid reference format: ${why}`,
    hint:
      hint ??
      'an image reference looks like [registry[:port]/]repository[:tag][@sha256:digest], e.g. docker.io/library/busybox:latest',
    subject: input,
  });
}

/** Why the grammar refuses `input` (upstream's most specific reason first). */
function grammarProblem(input: string): string {
  if (input === '') return 'repository name must have at least one component';
  if (REFERENCE.test(input.toLowerCase())) return 'repository name must be lowercase';
  return 'the name, tag or digest has characters or separators that are not allowed';
}

/** Validate `input` against the grammar without applying any defaults. */
export function splitReference(input: string): SplitReference {
  const m = input.length > INPUT_MAX ? null : REFERENCE.exec(input);
  if (m === null) throw invalid(input, grammarProblem(input));
  const name = m[1] ?? '';
  if (name.length > NAME_MAX) throw invalid(input, `repository name must not be more than ${NAME_MAX} characters`);
  const digest = m[3];
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem !== undefined) throw invalid(input, problem, 'a digest is sha256: followed by 64 lowercase hex characters');
  }
  return { name, tag: m[2], digest: digest as Digest | undefined };
}

/**
 * Whether the first path component names a registry. Upstream (splitDockerDomain in the
 * version podman 4.3 vendors) also treats a component with an uppercase letter as a
 * domain; verified on podman 4.3.1: `Foo/bar` → "image not known", `localhost/X` →
 * "repository name must be lowercase".
 */
function isDomainComponent(first: string): boolean {
  return /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();
}

function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || !isDomainComponent(first)) return { domain: DOCKER_DOMAIN, path: name };
  return { domain: first === 'index.docker.io' ? DOCKER_DOMAIN : first, path: name.slice(slash + 1) };
}

/**
 * Parse and normalise like ParseNormalizedNamed: `busybox` → docker.io/library/busybox,
 * `index.docker.io/x/y` → docker.io/x/y. No tag is added (see withDefaultTag).
 */
export function parseReference(input: string): ImageReference {
  // Docker refuses a bare image id as a repository name so that `run <id>` can never
  // mean a Hub repository called like an id.
  if (FULL_HEX_ID.test(input)) {
    throw invalid(
      input,
      'invalid repository name, cannot specify 64-byte hexadecimal strings',
      'to refer to an image by id use it as is with commands that accept ids, or prefix it with sha256:',
    );
  }
  const split = splitReference(input);
  const { domain, path: rawPath } = splitDomain(split.name);
  if (rawPath !== rawPath.toLowerCase()) throw invalid(input, 'repository name must be lowercase');
  const path = domain === DOCKER_DOMAIN && !rawPath.includes('/') ? `${OFFICIAL_NAMESPACE}/${rawPath}` : rawPath;
  return { domain, path, tag: split.tag, digest: split.digest };
}

/**
 * True when `input` names no registry: its first `/`-component has no `.` or `:` and is
 * not `localhost` (shortnames.IsShortName). `busybox` and `library/busybox` are short,
 * `docker.io/busybox` and `localhost/x` are not.
 */
export function isShortName(input: string): boolean {
  const slash = input.indexOf('/');
  if (slash < 0) return true;
  const first = input.slice(0, slash);
  return !/[.:]/.test(first) && first !== 'localhost';
}

/** `:latest` when the reference has neither tag nor digest (TagNameOnly). */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** `domain/path`, the repository without tag or digest. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full string, e.g. `docker.io/library/node:latest` or `quay.io/a/b@sha256:…`. */
export function formatReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${repositoryName(ref)}${tag}${digest}`;
}

/** Docker's short display form: `docker.io/library/node:20` → `node:20`. */
export function familiarName(ref: ImageReference): string {
  let name = repositoryName(ref);
  if (ref.domain === DOCKER_DOMAIN) {
    const official = `${OFFICIAL_NAMESPACE}/`;
    name = ref.path.startsWith(official) && !ref.path.slice(official.length).includes('/') ? ref.path.slice(official.length) : ref.path;
  }
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${name}${tag}${digest}`;
}

/** The name podman stores for a reference: normalised, tagged (`:latest` by default). */
export function normalizeName(input: string): string {
  return formatReference(withDefaultTag(parseReference(input)));
}
