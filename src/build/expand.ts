// Variable expansion and word splitting as the Dockerfile reference defines them for
// ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR (and ARG):
// `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}`, `\$` for a literal dollar;
// single quotes are literal, double quotes expand; quotes are removed. RUN, CMD and
// ENTRYPOINT are not expanded here: their shell does it.
export type Lookup = (name: string) => string | undefined;

export class ExpandError extends Error {}

class Scanner {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(off = 0): string {
    return this.s[this.i + off] ?? '';
  }
  next(): string {
    return this.s[this.i++] ?? '';
  }
}

const NAME = /[A-Za-z0-9_]/;

function braced(sc: Scanner, lookup: Lookup): string {
  let name = '';
  while (!sc.done && NAME.test(sc.peek())) name += sc.next();
  if (name === '') throw new ExpandError(`bad substitution in ${JSON.stringify(sc.s)}`);
  const value = lookup(name);
  if (sc.peek() === '}') {
    sc.next();
    return value ?? '';
  }
  if (sc.peek() !== ':' || (sc.peek(1) !== '-' && sc.peek(1) !== '+')) {
    throw new ExpandError(`unsupported modifier after \${${name} in ${JSON.stringify(sc.s)}`);
  }
  sc.next();
  const op = sc.next();
  // The word may itself hold variables and quotes, up to the matching brace.
  let depth = 0;
  let word = '';
  while (!sc.done && !(sc.peek() === '}' && depth === 0)) {
    const c = sc.next();
    if (c === '{') depth++;
    if (c === '}') depth--;
    word += c;
  }
  if (sc.next() !== '}') throw new ExpandError(`missing } in ${JSON.stringify(sc.s)}`);
  const set = value !== undefined && value !== '';
  if (op === '-') return set ? value : expandString(word, lookup);
  return set ? expandString(word, lookup) : '';
}

function variable(sc: Scanner, lookup: Lookup): string {
  if (sc.peek() === '{') {
    sc.next();
    return braced(sc, lookup);
  }
  let name = '';
  while (!sc.done && NAME.test(sc.peek())) name += sc.next();
  return name === '' ? '$' : (lookup(name) ?? '');
}

/** Words of `s` after expansion (unquoted whitespace separates; an expansion is never split). */
export function expandWords(s: string, lookup: Lookup, split = true): string[] {
  const sc = new Scanner(s);
  const words: string[] = [];
  let word = '';
  let inWord = false;
  while (!sc.done) {
    const c = sc.next();
    if (split && /\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '\\') word += sc.done ? '\\' : sc.next();
    else if (c === "'") word += until(sc, "'");
    else if (c === '"') word += doubleQuoted(sc, lookup);
    else if (c === '$') word += variable(sc, lookup);
    else word += c;
  }
  if (inWord) words.push(word);
  return words;
}

function until(sc: Scanner, end: string): string {
  let out = '';
  while (!sc.done && sc.peek() !== end) out += sc.next();
  if (sc.next() !== end) throw new ExpandError(`unterminated quote in ${JSON.stringify(sc.s)}`);
  return out;
}

function doubleQuoted(sc: Scanner, lookup: Lookup): string {
  let out = '';
  while (!sc.done && sc.peek() !== '"') {
    const c = sc.next();
    if (c === '\\' && ['"', '\\', '$'].includes(sc.peek())) out += sc.next();
    else if (c === '$') out += variable(sc, lookup);
    else out += c;
  }
  if (sc.next() !== '"') throw new ExpandError(`unterminated quote in ${JSON.stringify(sc.s)}`);
  return out;
}

/** One word: quotes removed and variables expanded, whitespace kept. */
export function expandString(s: string, lookup: Lookup): string {
  return expandWords(s, lookup, false)[0] ?? '';
}

/** `k=v k2="v 2"` (or the legacy `k v w` form) → pairs, as ENV and LABEL take them. */
export function keyValues(s: string, lookup: Lookup, keyword: string): [string, string][] {
  const first = /^([^\s=]+)(\s+)([\s\S]*)$/.exec(s.trim());
  if (first !== null && !(first[1] as string).includes('=') && !/^\S+=/.test(s.trim())) {
    return [[first[1] as string, expandString((first[3] as string).trim(), lookup)]];
  }
  return expandWords(s, lookup).map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new ExpandError(`${keyword} needs NAME=VALUE, got ${JSON.stringify(w)}`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}
