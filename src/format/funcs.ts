// The functions a podman template can call: Go's builtins (and, or, not, len, index,
// slice, print*, html, js, urlquery, call, eq/ne/lt/le/gt/ge) and the ones podman's
// report package registers (json, join, lower, upper, title, split, truncate, pad).
// Each declares its parameter types so arguments are checked the way Go's reflective
// call checks them ("wrong type for value; expected []string; got string").
import { CallError } from './errors.js';
import { sprint, sprintf, sprintln } from './printf.js';
import { goJsonCompact } from './json.js';
import { isTrue, kindOf, typeName, type GoFunc, type GoObject, type GoValue } from './values.js';

export type ParamType = 'any' | 'string' | 'int' | '[]string';

export interface FuncDef {
  params: readonly ParamType[];
  /** Type of the extra arguments of a variadic function. */
  variadic?: ParamType;
  /** Arguments are evaluated by the function (and/or short-circuit). */
  lazy?: boolean;
  fn: (...args: GoValue[]) => GoValue;
}

export type FuncMap = Readonly<Record<string, FuncDef>>;

/** Why `v` cannot be passed as `type` (Go's wording), or undefined when it can. */
export function checkArg(v: GoValue, type: ParamType, constantText: string | undefined): string | undefined {
  const kind = kindOf(v);
  if (type === 'any') return undefined;
  if (constantText !== undefined) {
    if (type === 'string' && kind !== 'string') return `expected string; found ${constantText}`;
    if (type === 'int' && kind !== 'int') return `expected integer; found ${constantText}`;
    if (type === '[]string') return `wrong type for value; expected []string; got ${typeName(v)}`;
    return undefined;
  }
  if (kind === 'invalid') return `invalid value; expected ${type}`;
  const ok = type === '[]string' ? kind === 'slice' && (v as GoValue[]).every((e) => typeof e === 'string') : kind === type;
  return ok ? undefined : `wrong type for value; expected ${type}; got ${typeName(v)}`;
}

type Basic = 'string' | 'int' | 'float' | 'bool';

function basic(v: GoValue): Basic | undefined {
  const k = kindOf(v);
  return k === 'string' || k === 'int' || k === 'float' || k === 'bool' ? k : undefined;
}

function eq(a: GoValue, ...rest: GoValue[]): boolean {
  const ka = basic(a);
  for (const b of rest) {
    const kb = basic(b);
    if (ka === undefined || kb === undefined) {
      if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
      if (kindOf(a) === 'slice' || kindOf(a) === 'map' || kindOf(b) === 'slice' || kindOf(b) === 'map') throw new CallError('invalid type for comparison');
      if (a === b) return true;
      continue;
    }
    if (ka !== kb) throw new CallError('incompatible types for comparison');
    if (a === b) return true;
  }
  return false;
}

function less(a: GoValue, b: GoValue): boolean {
  const ka = basic(a);
  const kb = basic(b);
  if (ka === undefined || kb === undefined || ka === 'bool' || kb === 'bool') throw new CallError('invalid type for comparison');
  if (ka !== kb) throw new CallError('incompatible types for comparison');
  return (a as string | number) < (b as string | number);
}

function length(v: GoValue): number {
  switch (kindOf(v)) {
    case 'string':
      return Buffer.byteLength(v as string);
    case 'slice':
      return (v as GoValue[]).length;
    case 'map':
      return Object.keys(v as GoObject).length;
    default:
      throw new CallError(`len of type ${typeName(v)}`);
  }
}

function indexOne(item: GoValue, key: GoValue): GoValue {
  const k = kindOf(item);
  if (k === 'slice' || k === 'string') {
    if (kindOf(key) !== 'int') throw new CallError(`cannot index slice/array with type ${typeName(key)}`);
    const list = k === 'string' ? [...Buffer.from(item as string)] : (item as GoValue[]);
    const i = key as number;
    if (i < 0 || i >= list.length) throw new CallError(`index out of range: ${i}`);
    return list[i];
  }
  if (k === 'map') {
    const map = item as GoObject;
    if (kindOf(key) !== 'string') throw new CallError(`value has type ${typeName(key)}; should be string`);
    // A missing key gives the zero value of the map's element type.
    if (Object.hasOwn(map, key as string)) return map[key as string];
    return Object.values(map).every((e) => typeof e === 'string') ? '' : undefined;
  }
  if (k === 'invalid' || k === 'nil') throw new CallError('index of untyped nil');
  throw new CallError(`can't index item of type ${typeName(item)}`);
}

function slice(item: GoValue, ...idx: GoValue[]): GoValue {
  const k = kindOf(item);
  if (k !== 'string' && k !== 'slice') throw new CallError(`can't slice item of type ${typeName(item)}`);
  const len = k === 'string' ? Buffer.byteLength(item as string) : (item as GoValue[]).length;
  const [from = 0, to = len] = idx as number[];
  if (from < 0 || to > len || from > to) throw new CallError(`index out of range: ${to > len ? to : from}`);
  return k === 'string' ? Buffer.from(item as string).subarray(from, to).toString() : (item as GoValue[]).slice(from, to);
}

const htmlEscapes: Record<string, string> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' };

function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const simple: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"' };
    return simple[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return [...Buffer.from(s)].map((b) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
    return c === ' ' ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** strings.Title: upper-case the first letter of each word (Go's separator rules). */
function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

const any = (n: number): ParamType[] => Array<ParamType>(n).fill('any');

export const builtins: FuncMap = {
  and: { params: [], lazy: true, fn: () => undefined },
  or: { params: [], lazy: true, fn: () => undefined },
  not: { params: any(1), fn: (v) => !isTrue(v) },
  len: { params: any(1), fn: (v) => length(v) },
  index: { params: any(1), variadic: 'any', fn: (item, ...keys) => keys.reduce<GoValue>((acc, k) => indexOne(acc, k), item) },
  slice: { params: any(1), variadic: 'any', fn: slice },
  print: { params: [], variadic: 'any', fn: (...a) => sprint(a) },
  println: { params: [], variadic: 'any', fn: (...a) => sprintln(a) },
  printf: { params: ['string'], variadic: 'any', fn: (f, ...a) => sprintf(f as string, a) },
  html: { params: [], variadic: 'any', fn: (...a) => sprint(a).replace(/["'&<>\0]/g, (c) => htmlEscapes[c] ?? c) },
  js: { params: [], variadic: 'any', fn: (...a) => jsEscape(sprint(a)) },
  urlquery: { params: [], variadic: 'any', fn: (...a) => queryEscape(sprint(a)) },
  call: {
    params: any(1), variadic: 'any',
    fn: (f, ...a) => {
      if (typeof f !== 'function') throw new CallError(`non-function of type ${typeName(f)}`);
      return (f as GoFunc)(...a);
    },
  },
  eq: { params: any(1), variadic: 'any', fn: eq },
  ne: { params: any(2), fn: (a, b) => !eq(a, b) },
  lt: { params: any(2), fn: (a, b) => less(a, b) },
  le: { params: any(2), fn: (a, b) => less(a, b) || eq(a, b) },
  gt: { params: any(2), fn: (a, b) => !less(a, b) && !eq(a, b) },
  ge: { params: any(2), fn: (a, b) => !less(a, b) },
};

/** containers/common report's DefaultFuncs, as podman 4.3 registers them. */
export const podmanFuncs: FuncMap = {
  json: { params: any(1), fn: (v) => goJsonCompact(v) },
  join: { params: ['[]string', 'string'], fn: (list, sep) => (list as string[]).join(sep as string) },
  lower: { params: ['string'], fn: (s) => (s as string).toLowerCase() },
  upper: { params: ['string'], fn: (s) => (s as string).toUpperCase() },
  title: { params: ['string'], fn: (s) => title(s as string) },
  split: { params: ['string', 'string'], fn: (s, sep) => (s as string).split(sep as string) },
  truncate: { params: ['string', 'int'], fn: (s, n) => ((s as string).length > (n as number) ? (s as string).slice(0, n as number) : s) },
  pad: { params: ['string', 'int', 'int'], fn: (s, a, b) => ' '.repeat(Math.max(0, a as number)) + (s as string) + ' '.repeat(Math.max(0, b as number)) },
};

export const allFuncs: FuncMap = { ...builtins, ...podmanFuncs };
