// .containerignore / .dockerignore: one pattern a line, `#` comments, `!` re-includes,
// Go's filepath.Match syntax (`*`, `?`, `[a-z]`, `\` escapes) plus `**` for any number
// of directories; patterns are cleaned and taken relative to the context root. The last
// matching pattern decides; a pattern matching a directory matches everything below it.
import { posix } from 'node:path';

export interface IgnoreRule {
  negate: boolean;
  pattern: string;
  regex: RegExp;
}

function classToRegex(p: string, i: number): [string, number] {
  let j = i + 1;
  let body = '';
  if (p[j] === '^' || p[j] === '!') {
    body += '^';
    j++;
  }
  while (j < p.length && p[j] !== ']') {
    const c = p[j] as string;
    body += c === '\\' ? `\\${p[++j] ?? ''}` : c;
    j++;
  }
  if (j >= p.length) return ['\\[', i + 1];
  return [`[${body}]`, j + 1];
}

/** Pattern → anchored regex over slash-separated relative paths. */
export function patternToRegex(pattern: string): RegExp {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` anything.
      const slash = pattern[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 3 : 2;
    } else if (c === '*') {
      out += '[^/]*';
      i++;
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      const [re, next] = classToRegex(pattern, i);
      out += re;
      i = next;
    } else if (c === '\\' && i + 1 < pattern.length) {
      out += (pattern[i + 1] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += 2;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${out}$`);
}

export function parseIgnore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    let pattern = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (pattern === '' || pattern === '.') pattern = '.';
    rules.push({ negate, pattern, regex: patternToRegex(pattern) });
  }
  return rules;
}

/** Is `rel` (a path relative to the context, no leading `./`) excluded? */
export function isIgnored(rules: readonly IgnoreRule[], rel: string): boolean {
  const parts = rel.split('/');
  let ignored = false;
  for (const r of rules) {
    // The path itself or one of its parents.
    let hit = r.pattern === '.';
    for (let n = 1; n <= parts.length && !hit; n++) hit = r.regex.test(parts.slice(0, n).join('/'));
    if (hit) ignored = !r.negate;
  }
  return ignored;
}

/** Could anything below directory `rel` be re-included by a `!` rule? (Then it must be walked.) */
export function mayReinclude(rules: readonly IgnoreRule[], rel: string): boolean {
  return rules.some((r) => r.negate && (r.pattern.startsWith(`${rel}/`) || r.pattern.includes('*')));
}
