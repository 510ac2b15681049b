// `WWW-Authenticate` challenges as c/image reads them (docker/wwwauthenticate.go,
// storage-format §11.2): the scheme lower-cased, then comma-separated key=value or
// key="quoted \" value" parameters with lower-cased keys; parsing a header stops at
// the first malformed parameter. Each header is one challenge. Pure.

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /[ \t]/.test(text[i] as string)) i++;
  };
  while (i < text.length) {
    skipSpace();
    const keyStart = i;
    while (i < text.length && /[A-Za-z0-9_.-]/.test(text[i] as string)) i++;
    const key = text.slice(keyStart, i).toLowerCase();
    skipSpace();
    if (key === '' || text[i] !== '=') break;
    i++;
    skipSpace();
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i++] as string;
        if (c === '\\' && i < text.length) value += text[i++];
        else if (c === '"') {
          closed = true;
          break;
        } else value += c;
      }
      if (!closed) break;
    } else {
      const start = i;
      while (i < text.length && !/[ \t,]/.test(text[i] as string)) i++;
      value = text.slice(start, i);
    }
    params[key] = value;
    skipSpace();
    if (text[i] !== ',') break;
    i++;
  }
  return params;
}

export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s+(.*))?$/s.exec(header);
  if (m === null) return undefined;
  return { scheme: (m[1] as string).toLowerCase(), params: parseParams(m[2] ?? '') };
}

/** The first `basic` or `bearer` challenge of all the headers (others are ignored). */
export function usableChallenge(headers: readonly string[]): Challenge | undefined {
  for (const h of headers) {
    const c = parseChallenge(h);
    if (c !== undefined && (c.scheme === 'basic' || c.scheme === 'bearer')) return c;
  }
  return undefined;
}
