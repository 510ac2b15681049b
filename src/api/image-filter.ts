// `images --filter` and `image prune --filter`: podman 4.3's image filters over facts
// of one image. Several values of one key are alternatives, different keys must all
// hold; `key!=value` negates. before/since name an image, until a time. podman's
// messages for bad filters are kept (exit 125).
import { RrunError } from '../../oci/errors.js';
import { parseInputTime } from '../../oci/time-input.js';
import { referenceCandidates } from './image-reference-match.js';

/** What the filters look at. */
export interface FilterableImage {
  id: string;
  names: readonly string[];
  /** Nanoseconds since the epoch. */
  created: bigint;
  labels: Readonly<Record<string, string>>;
  dangling: boolean;
  intermediate: boolean;
  containers: number;
}

export interface ImageFilter {
  key: string;
  value: string;
  negate: boolean;
}

/** Groups of alternatives, one per key. */
export type ImageFilters = ReadonlyMap<string, readonly ImageFilter[]>;

const KEYS = new Set(['after', 'since', 'before', 'containers', 'dangling', 'id', 'intermediate', 'label', 'readonly', 'reference', 'until']);

/** Keys podman refuses to see twice with different values (negation aside). */
const SINGLE_VALUED = new Set(['containers', 'dangling', 'intermediate', 'readonly']);

const filterError = (message: string, subject: string): RrunError =>
  new RrunError({
    code: 'ERR_USAGE', message, subject, exitCode: 125,
    hint: 'filters: before=, since=, containers=, dangling=, id=, intermediate=, label=, readonly=, reference=, until=',
  });

/** Go's strconv.ParseBool. */
function goBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  // podman 4.3's message names the two the other way round; kept as it prints it.
  throw filterError(`non-boolean value "${key}" for ${value} filter: strconv.ParseBool: parsing "${value}": invalid syntax`, value);
}

function checkValue(f: ImageFilter, now: bigint): void {
  if (f.key === 'dangling' || f.key === 'intermediate' || f.key === 'readonly') goBool(f.key, f.value);
  if (f.key === 'containers' && !['true', 'false', 'external'].includes(f.value)) {
    throw filterError(`unsupported value "${f.value}" for containers filter`, f.value);
  }
  if (f.key === 'until' && parseInputTime(f.value, now) === undefined) {
    throw filterError(`failed to parse value as time or duration: "${f.value}"`, f.value);
  }
}

export function parseImageFilters(specs: readonly string[], now: bigint): ImageFilters {
  const out = new Map<string, ImageFilter[]>();
  for (const spec of specs) {
    const m = /^([^=!]*)(!?=)(.*)$/s.exec(spec);
    if (m === null) throw filterError(`invalid image filter "${spec}": must be in the format "filter=value or filter!=value"`, spec);
    const filter = { key: m[1] as string, value: m[3] as string, negate: m[2] === '!=' };
    if (!KEYS.has(filter.key)) throw filterError(`unsupported image filter "${filter.key}"`, filter.key);
    checkValue(filter, now);
    const key = filter.key === 'after' ? 'since' : filter.key;
    const clash = SINGLE_VALUED.has(key) && (out.get(key) ?? []).some((f) => f.value !== filter.value);
    if (clash) throw filterError(`specifying "${key}" filter more than once with different values is not supported`, key);
    out.set(key, [...(out.get(key) ?? []), { ...filter, key }]);
  }
  return out;
}

/** Finds the image before=/since= names: its creation time, or throws podman's error. */
export type ImageAnchor = (key: 'before' | 'since', ref: string) => bigint;

export function anchorError(key: string, ref: string, cause: string): RrunError {
  return new RrunError({
    code: 'ERR_IMAGE_NOT_FOUND', message: `could not find local image for filter filter "${key}"="${ref}": ${cause}`, subject: ref, exitCode: 125,
  });
}

/** `label=key` (present) or `label=key=value` (equal). */
function labelMatches(labels: Readonly<Record<string, string>>, spec: string): boolean {
  const eq = spec.indexOf('=');
  const key = eq < 0 ? spec : spec.slice(0, eq);
  const value = eq < 0 ? '' : spec.slice(eq + 1);
  if (!Object.hasOwn(labels, key)) return false;
  return value === '' || labels[key] === value;
}

type Test = (i: FilterableImage) => boolean;

function oneTest(f: ImageFilter, anchor: ImageAnchor, now: bigint): Test {
  switch (f.key) {
    case 'since': { const t = anchor('since', f.value); return (i) => i.created > t; }
    case 'before': { const t = anchor('before', f.value); return (i) => i.created < t; }
    case 'until': { const t = parseInputTime(f.value, now) as bigint; return (i) => i.created < t; }
    case 'containers': return f.value === 'false' ? (i) => i.containers === 0 : (i) => i.containers > 0;
    case 'dangling': { const want = goBool(f.key, f.value); return (i) => i.dangling === want; }
    case 'intermediate': { const want = goBool(f.key, f.value); return (i) => i.intermediate === want; }
    // rrun knows no read-only (additional) image stores.
    case 'readonly': { const want = goBool(f.key, f.value); return () => !want; }
    // podman 4.3 compares the whole id.
    case 'id': return (i) => i.id === f.value;
    case 'label': return (i) => labelMatches(i.labels, f.value);
    default: return (i) => i.names.some((n) => referenceCandidates(n).some((c) => globMatch(f.value, c)));
  }
}

/** One predicate for all the filters; resolves before=/since= once. */
export function imagePredicate(filters: ImageFilters, anchor: ImageAnchor, now: bigint): Test {
  const groups = [...filters.values()].map((alternatives) => {
    const tests = alternatives.map((f) => {
      const t = oneTest(f, anchor, now);
      return f.negate ? (i: FilterableImage) => !t(i) : t;
    });
    return (i: FilterableImage) => tests.some((t) => t(i));
  });
  return (i) => groups.every((g) => g(i));
}

/** Go's path.Match: `*` and `?` do not cross `/`; `[…]` classes with `^` negation. */
export function globMatch(pattern: string, text: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i] as string}`;
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false; // Go: ErrBadPattern, which podman treats as no match
      const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`, 's').test(text);
  } catch {
    return false;
  }
}
