// `ps --filter KEY=VALUE`: podman's keys rrun's containers have (id, name, status,
// exited, ancestor, before, since). Values of one key are alternatives, different keys
// must all hold, as in podman; its messages for a bad filter are kept.
import { RrunError } from '../../oci/errors.js';
import type { RrunContainer } from './container-store.js';

export type PsFilters = ReadonlyMap<string, readonly string[]>;

const KEYS = new Set(['id', 'name', 'status', 'exited', 'ancestor', 'before', 'since']);
/** podman's container states; rrun's containers are only ever created, running or exited. */
const STATES = new Set(['created', 'running', 'paused', 'stopped', 'exited', 'unknown', 'configured', 'stopping', 'removing']);

const filterError = (message: string, subject: string): RrunError =>
  new RrunError({ code: 'ERR_USAGE', message, subject, hint: 'filters: id=, name=, status=, exited=, ancestor=, before=, since=', exitCode: 125 });

function checkValue(key: string, value: string): void {
  if (key === 'status' && !STATES.has(value)) throw filterError(`unknown container state: ${value}: invalid argument`, value);
  if (key === 'exited' && !/^-?\d+$/.test(value)) throw filterError(`exited code out of range '${value}': invalid syntax`, value);
  if (key === 'name') {
    try {
      new RegExp(value);
    } catch {
      throw filterError(`invalid regular expression in filter name=${value}`, value);
    }
  }
}

export function parsePsFilters(specs: readonly string[]): PsFilters {
  const out = new Map<string, string[]>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw filterError(`invalid filter "${spec}"`, spec);
    const key = spec.slice(0, eq);
    const value = spec.slice(eq + 1);
    if (!KEYS.has(key)) throw filterError(`${key} is an invalid filter`, key);
    checkValue(key, value);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** podman widens `ps` to stopped containers when a status filter is given. */
export const filtersWantAll = (f: PsFilters): boolean => f.has('status');

function ancestorMatches(c: RrunContainer, want: string): boolean {
  if (want.length >= 3 && /^(sha256:)?[0-9a-f]+$/.test(want) && c.imageId.startsWith(want.replace(/^sha256:/, ''))) return true;
  const name = c.imageName;
  const untagged = name.replace(/:[^:/]+$/, '');
  const base = (s: string): string => s.slice(s.lastIndexOf('/') + 1);
  return [name, untagged, base(name), base(untagged)].includes(want);
}

function statusMatches(c: RrunContainer, want: string): boolean {
  return want === 'stopped' ? c.state.status === 'exited' : c.state.status === want;
}

/** The container `before=`/`since=` names, found among the listed ones. */
function anchor(all: readonly RrunContainer[], ref: string): RrunContainer {
  const found = all.find((c) => c.name === ref || c.id === ref) ?? all.filter((c) => c.id.startsWith(ref)).at(0);
  if (found === undefined) {
    throw new RrunError({ code: 'ERR_NO_SUCH_CONTAINER', message: `no container with name or ID "${ref}" found: no such container`, subject: ref, exitCode: 125 });
  }
  return found;
}

type Test = (c: RrunContainer) => boolean;

/** One predicate for all the filters; resolves before=/since= once. */
export function psPredicate(filters: PsFilters, all: readonly RrunContainer[]): Test {
  const tests: Test[] = [];
  for (const [key, values] of filters) {
    const one = (v: string): Test => {
      switch (key) {
        case 'id': return (c) => c.id.startsWith(v);
        case 'name': { const re = new RegExp(v); return (c) => re.test(c.name); }
        case 'status': return (c) => statusMatches(c, v);
        case 'exited': return (c) => c.state.status === 'exited' && (c.state.exitCode ?? 0) === Number(v);
        case 'ancestor': return (c) => ancestorMatches(c, v);
        case 'before': { const t = Date.parse(anchor(all, v).created); return (c) => Date.parse(c.created) < t; }
        default: { const t = Date.parse(anchor(all, v).created); return (c) => Date.parse(c.created) > t; }
      }
    };
    const alternatives = values.map(one);
    tests.push((c) => alternatives.some((f) => f(c)));
  }
  return (c) => tests.every((f) => f(c));
}
