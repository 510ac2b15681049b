// The Go values a template sees, modelled in TypeScript.
//
// Go templates are reflective: what they print and which errors they raise depend on
// the Go type behind a value (struct vs map, int vs string, time.Time). The data rrun
// hands to a template is plain JSON-like data plus three markers:
//   - structs: objects tagged with their Go type name (`goStruct`); a missing field is
//     an error, fields print in declaration order. Untagged objects are Go maps: a
//     missing key is `<no value>`, keys print sorted.
//   - methods: non-enumerable function properties of a struct (podman's reporters
//     compute `.ID`, `.Size`, … in methods that shadow the embedded fields).
//   - time.Time: `GoTime`, printed as Go's Time.String() and JSON-encoded as RFC 3339.
// `undefined` is Go's invalid reflect.Value (`<no value>`), `null` is nil (`<nil>`).

const goTypeKey = Symbol('goType');
const embeddedKey = Symbol('goEmbedded');
const orderKey = Symbol('goFieldOrder');
const jsonNameKey = Symbol('goJsonNames');

export type GoFunc = (...args: GoValue[]) => GoValue;
export type GoValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | GoTime
  | GoFunc
  | readonly GoValue[]
  | { readonly [key: string]: GoValue };

export type GoObject = { readonly [key: string]: GoValue };

export interface StructOptions {
  /** Methods, looked up before fields (Go's method-then-field order). */
  methods?: Record<string, GoFunc>;
  /** Fields that are embedded structs: their fields are promoted. */
  embedded?: readonly string[];
  /** Every field in declaration order, when some are hidden from JSON (`omitempty`). */
  order?: readonly string[];
  /** JSON names of fields whose `json:` tag differs from the Go name. */
  jsonNames?: Readonly<Record<string, string>>;
}

/** Tag `fields` as a Go struct of type `type` (e.g. `*define.InspectContainerState`). */
export function goStruct<T extends object>(type: string, fields: T, opts: StructOptions = {}): T {
  Object.defineProperty(fields, goTypeKey, { value: type, enumerable: false });
  if (opts.embedded !== undefined) Object.defineProperty(fields, embeddedKey, { value: opts.embedded, enumerable: false });
  if (opts.jsonNames !== undefined) Object.defineProperty(fields, jsonNameKey, { value: opts.jsonNames, enumerable: false });
  if (opts.order !== undefined) Object.defineProperty(fields, orderKey, { value: opts.order, enumerable: false });
  for (const [name, fn] of Object.entries(opts.methods ?? {})) {
    Object.defineProperty(fields, name, { value: fn, enumerable: false });
  }
  return fields;
}

export function structType(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? (v as { [goTypeKey]?: string })[goTypeKey] : undefined;
}

export function embeddedFields(v: object): readonly string[] {
  return (v as { [embeddedKey]?: readonly string[] })[embeddedKey] ?? [];
}

/** A Go time.Time: the instant plus the zone offset it was recorded in. */
export class GoTime {
  constructor(
    /** Milliseconds since the epoch. */
    readonly ms: number,
    /** Nanoseconds within the second, 0 … 999999999. */
    readonly nanos: number,
    /** Zone offset east of UTC in minutes. */
    readonly offsetMinutes = 0,
  ) {}

  /** From RFC 3339 text with up to nanosecond precision (podman's JSON times). */
  static parse(text: string): GoTime | undefined {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
    if (m === null) return undefined;
    const [, base = '', frac = '', zone = 'Z'] = m;
    const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    const ms = Date.parse(`${base}Z`) - offset * 60_000;
    return Number.isNaN(ms) ? undefined : new GoTime(ms, Number(frac.padEnd(9, '0')), offset);
  }

  static fromSeconds(seconds: number): GoTime {
    return new GoTime(seconds * 1000, 0, 0);
  }

  private wall(): { date: string; clock: string } {
    const iso = new Date(this.ms + this.offsetMinutes * 60_000).toISOString();
    return { date: iso.slice(0, 10), clock: iso.slice(11, 19) };
  }

  private zone(sep: string): string {
    const sign = this.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(this.offsetMinutes);
    return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${sep}${String(abs % 60).padStart(2, '0')}`;
  }

  /** Go's `2006-01-02 15:04:05.999999999 -0700 MST`. */
  toString(): string {
    const { date, clock } = this.wall();
    const frac = this.nanos === 0 ? '' : `.${String(this.nanos).padStart(9, '0').replace(/0+$/, '')}`;
    const name = this.offsetMinutes === 0 ? 'UTC' : this.zone('');
    return `${date} ${clock}${frac} ${this.zone('')} ${name}`;
  }

  /** RFC 3339 with nanoseconds, as encoding/json writes a time.Time. */
  toJSON(): string {
    const { date, clock } = this.wall();
    const frac = this.nanos === 0 ? '' : `.${String(this.nanos).padStart(9, '0').replace(/0+$/, '')}`;
    return `${date}T${clock}${frac}${this.offsetMinutes === 0 ? 'Z' : this.zone(':')}`;
  }
}

export type Kind = 'invalid' | 'nil' | 'string' | 'int' | 'float' | 'bool' | 'slice' | 'map' | 'struct' | 'time' | 'func';

export function kindOf(v: GoValue): Kind {
  if (v === undefined) return 'invalid';
  if (v === null) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'function') return 'func';
  if (v instanceof GoTime) return 'time';
  if (Array.isArray(v)) return 'slice';
  return structType(v) !== undefined ? 'struct' : 'map';
}

/** The Go type name used in error messages and `%T`. */
export function typeName(v: GoValue): string {
  const kind = kindOf(v);
  switch (kind) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'func':
      return 'func() string';
    case 'time':
      return 'time.Time';
    case 'float':
      return 'float64';
    case 'slice':
      return `[]${elemType(v as readonly GoValue[])}`;
    case 'map':
      return `map[string]${elemType(Object.values(v as GoObject))}`;
    case 'struct':
      return structType(v) as string;
    default:
      return kind;
  }
}

function elemType(values: readonly GoValue[]): string {
  const kinds = new Set(values.map(kindOf));
  if (kinds.size === 1 && (kinds.has('string') || kinds.has('int') || kinds.has('bool'))) return [...kinds][0] as string;
  return values.length === 0 ? 'string' : 'interface {}';
}

/** Struct fields as encoding/json sees them: tag names, omitempty ones left out. */
export function jsonFields(v: GoObject): [string, GoValue][] {
  const names = (v as { [jsonNameKey]?: Readonly<Record<string, string>> })[jsonNameKey] ?? {};
  return Object.entries(v).filter(([, f]) => typeof f !== 'function').map(([k, f]) => [names[k] ?? k, f]);
}

/** Every struct field in declaration order, as fmt prints them; promoted fields stay nested. */
export function structFields(v: GoObject): [string, GoValue][] {
  const order = (v as { [orderKey]?: readonly string[] })[orderKey];
  return order === undefined ? jsonFields(v) : order.map((k) => [k, v[k]]);
}

/** A map's entries sorted by key, as Go prints and ranges over maps. */
export function sortedEntries(v: GoObject): [string, GoValue][] {
  return Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Go's truth: the zero value of any type is false. */
export function isTrue(v: GoValue): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'string':
      return (v as string).length > 0;
    case 'int':
    case 'float':
      return v !== 0;
    case 'bool':
      return v as boolean;
    case 'slice':
      return (v as readonly GoValue[]).length > 0;
    case 'map':
      return Object.keys(v as GoObject).length > 0;
    default:
      return true;
  }
}
