// Go literals inside template actions: numbers (decimal, hex, octal, binary, floats,
// `_` separators) and interpreted strings/characters with Go's escapes.
import type { TemplateError } from './errors.js';

export function parseNumber(text: string, fail: (msg: string) => TemplateError): number {
  const clean = text.replace(/_/g, '');
  const sign = clean.startsWith('-') ? -1 : 1;
  const body = clean.replace(/^[+-]/, '');
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) value = parseInt(body.slice(2), 2);
  else if (/^0[oO]?[0-7]+$/.test(body)) value = parseInt(body.replace(/^0[oO]?/, ''), 8);
  else value = Number(body);
  if (!Number.isFinite(value) || body === '' || body === '.') throw fail(`bad number syntax: "${text}"`);
  return sign * value;
}

const simpleEscapes: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'",
};

/** strconv.Unquote for "…" and '…'. */
export function unquote(text: string, fail: (msg: string) => TemplateError): string {
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    const hexLen: Record<string, number> = { x: 2, u: 4, U: 8 };
    if (simpleEscapes[e] !== undefined) out += simpleEscapes[e];
    else if (hexLen[e] !== undefined) {
      const digits = body.slice(i + 1, i + 1 + (hexLen[e] as number));
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hexLen[e]) throw fail(`invalid syntax`);
      out += e === 'x' ? Buffer.from([parseInt(digits, 16)]).toString('latin1') : String.fromCodePoint(parseInt(digits, 16));
      i += digits.length;
    } else if (/[0-7]/.test(e)) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else throw fail('invalid syntax');
  }
  return out;
}
