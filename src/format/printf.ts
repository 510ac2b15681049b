// Go's fmt for template values: Sprint, Sprintln, Sprintf with the verbs podman users
// write (%v %+v %s %q %d %x %X %o %b %c %U %e %f %g %t %T %%), flags, width and
// precision, and Go's complaints (`%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA …)`).
import { GoTime, kindOf, sortedEntries, structFields, typeName, type GoObject, type GoValue } from './values.js';

/** %v: Go's default format. `depth` > 0 inside containers (pointers print as `&{…}` only at top). */
export function formatValue(v: GoValue, plus = false, depth = 0): string {
  switch (kindOf(v)) {
    case 'invalid':
      return '<no value>';
    case 'nil':
      return '<nil>';
    case 'float':
      return formatFloat(v as number, 'g', -1);
    case 'time':
      return (v as GoTime).toString();
    case 'func':
      return '0x0';
    case 'slice':
      return `[${(v as readonly GoValue[]).map((e) => formatValue(e, plus, depth + 1)).join(' ')}]`;
    case 'map':
      return `map[${sortedEntries(v as GoObject).map(([k, e]) => `${k}:${formatValue(e, plus, depth + 1)}`).join(' ')}]`;
    case 'struct': {
      const fields = structFields(v as GoObject).map(([k, e]) => (plus ? `${k}:` : '') + formatValue(e, plus, depth + 1));
      const ptr = typeName(v).startsWith('*') && depth === 0 ? '&' : '';
      return `${ptr}{${fields.join(' ')}}`;
    }
    default:
      return String(v);
  }
}

/** strconv.FormatFloat(v, fmt, prec, 64); prec -1 = shortest that round-trips. */
export function formatFloat(v: number, fmt: 'e' | 'f' | 'g', prec: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (fmt === 'f') return prec < 0 ? String(v) : v.toFixed(prec);
  if (fmt === 'e') return goExponent(prec < 0 ? v.toExponential() : v.toExponential(prec));
  // %g: exponent form when exp < -4 or exp >= precision (21 for shortest, Go's %v rule).
  const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  const limit = prec < 0 ? 21 : prec === 0 ? 1 : prec;
  if (exp < -4 || exp >= limit) {
    const e = prec < 0 ? v.toExponential() : v.toExponential(Math.max(0, limit - 1));
    return goExponent(prec < 0 ? e : e.replace(/\.?0+e/, 'e'));
  }
  if (prec < 0) return String(v);
  return String(Number(v.toPrecision(limit)));
}

/** JS writes `1e+21`, Go `1e+21`; JS `1e-7`, Go `1e-07`: at least two exponent digits. */
function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

export function sprintln(args: readonly GoValue[]): string {
  return `${args.map((a) => formatValue(a)).join(' ')}\n`;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width?: number;
  prec?: number;
  verb: string;
}

function pad(text: string, s: Spec): string {
  if (s.width === undefined || [...text].length >= s.width) return text;
  const fill = s.width - [...text].length;
  if (s.minus) return text + ' '.repeat(fill);
  if (s.zero && /^[+-]?[0-9]/.test(text) && s.verb !== 's' && s.verb !== 'v' && s.verb !== 'q') {
    const sign = /^[+-]/.test(text) ? (text[0] as string) : '';
    return sign + '0'.repeat(fill) + text.slice(sign.length);
  }
  return ' '.repeat(fill) + text;
}

function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
}

function badVerb(s: Spec, v: GoValue): string {
  return `%!${s.verb}(${typeName(v)}=${formatValue(v)})`;
}

function signed(n: number, s: Spec, digits: string): string {
  return (n < 0 ? '-' : s.plus ? '+' : s.space ? ' ' : '') + digits;
}

type Verb = (v: GoValue, s: Spec) => string;

const intVerb = (radix: number, upper = false, prefix = ''): Verb => (v, s) => {
  if (kindOf(v) === 'string' && radix === 16) {
    const hex = Buffer.from(v as string).toString('hex');
    return upper ? hex.toUpperCase() : hex;
  }
  if (kindOf(v) !== 'int') return badVerb(s, v);
  const n = v as number;
  let digits = Math.abs(n).toString(radix);
  if (upper) digits = digits.toUpperCase();
  if (s.prec !== undefined) digits = digits.padStart(s.prec, '0');
  return signed(n, s, (s.sharp ? prefix : '') + digits);
};

const floatVerb = (fmt: 'e' | 'f' | 'g'): Verb => (v, s) => {
  if (kindOf(v) !== 'float' && kindOf(v) !== 'int') return badVerb(s, v);
  const n = v as number;
  const prec = s.prec ?? (fmt === 'g' ? -1 : 6);
  return signed(n, s, formatFloat(Math.abs(n), fmt, prec));
};

const verbs: Record<string, Verb> = {
  v: (v, s) => (kindOf(v) === 'string' && s.sharp ? quote(v as string) : precise(formatValue(v, s.plus), s, v)),
  s: (v, s) => (['string', 'slice', 'time'].includes(kindOf(v)) || typeof v === 'object' ? precise(formatValue(v), s, v) : badVerb(s, v)),
  q: (v, s) => (kindOf(v) === 'string' ? quote(v as string) : kindOf(v) === 'int' ? `'${String.fromCodePoint(v as number)}'` : badVerb(s, v)),
  d: intVerb(10),
  x: intVerb(16, false, '0x'),
  X: intVerb(16, true, '0X'),
  o: intVerb(8, false, '0'),
  b: intVerb(2),
  c: (v, s) => (kindOf(v) === 'int' ? String.fromCodePoint(v as number) : badVerb(s, v)),
  U: (v, s) => (kindOf(v) === 'int' ? `U+${(v as number).toString(16).toUpperCase().padStart(4, '0')}` : badVerb(s, v)),
  e: floatVerb('e'),
  f: floatVerb('f'),
  F: floatVerb('f'),
  g: floatVerb('g'),
  t: (v, s) => (kindOf(v) === 'bool' ? String(v) : badVerb(s, v)),
  T: (v) => typeName(v),
};

/** %.Ns truncates strings to N runes; %.Nv on floats is %g with precision N. */
function precise(text: string, s: Spec, v: GoValue): string {
  if (s.prec === undefined) return text;
  if (kindOf(v) === 'float') return formatFloat(v as number, 'g', s.prec);
  return kindOf(v) === 'string' ? [...text].slice(0, s.prec).join('') : text;
}

const specRe = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?(.)?/y;

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    specRe.lastIndex = pct;
    const m = specRe.exec(format) as RegExpExecArray;
    i = specRe.lastIndex;
    const [, flags = '', width, prec, verb] = m;
    if (verb === undefined) {
      out += '%!(NOVERB)';
      continue;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    const num = (t: string | undefined): number | undefined => (t === '*' ? Number(args[argi++]) : t === undefined ? undefined : Number(t));
    const hasPrec = m[0].includes('.');
    const spec: Spec = {
      minus: flags.includes('-'), plus: flags.includes('+'), sharp: flags.includes('#'), zero: flags.includes('0'), space: flags.includes(' '),
      width: num(width), prec: hasPrec ? (num(prec) ?? 0) : undefined, verb,
    };
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    const fn = verbs[verb];
    out += fn === undefined ? badVerb(spec, arg) : pad(fn(arg, spec), spec);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args.slice(argi).map((a) => `${typeName(a)}=${formatValue(a)}`).join(', ')})`;
  }
  return out;
}
