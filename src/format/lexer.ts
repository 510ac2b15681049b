// Lexer for Go's text/template language (as in Go 1.19, which built podman 4.3):
// text, `{{`/`}}` with the `{{- ` / ` -}}` trim markers, comments, and the tokens
// inside actions. Positions are byte offsets into the template text, because Go's
// error messages print them (`images:1:13`).
import { TemplateError } from './errors.js';

export type TokenType =
  | 'text' | 'left' | 'right' | 'space' | 'field' | 'variable' | 'identifier' | 'keyword'
  | 'dot' | 'string' | 'rawString' | 'char' | 'number' | 'bool' | 'nil'
  | 'pipe' | 'declare' | 'assign' | 'leftParen' | 'rightParen' | 'comma' | 'eof';

export interface Token {
  type: TokenType;
  value: string;
  /** UTF-16 offset into the template (equal to Go's byte offset for ASCII templates). */
  pos: number;
}

const keywords = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block']);
const spaceChars = new Set([' ', '\t', '\r', '\n']);
const isSpace = (c: string | undefined): boolean => c !== undefined && spaceChars.has(c);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

class Lexer {
  private pos = 0;
  readonly tokens: Token[] = [];
  /** Set by a `-}}`: the next text loses its leading white space. */
  private trimNext = false;
  /** Where the current action's `{{` is: Go reports lexing errors on that line. */
  private actionStart = 0;

  constructor(
    private readonly text: string,
    private readonly fail: (pos: number, msg: string) => TemplateError,
  ) {}

  run(): Token[] {
    while (this.pos < this.text.length) this.lexText();
    this.emit('eof', '', this.pos);
    return this.tokens;
  }

  private emit(type: TokenType, value: string, pos: number): void {
    this.tokens.push({ type, value, pos });
  }

  private lexText(): void {
    const start = this.pos;
    const at = this.text.indexOf('{{', start);
    const end = at < 0 ? this.text.length : at;
    let body = this.text.slice(start, end);
    if (this.trimNext) body = body.replace(/^[ \t\r\n]+/, '');
    this.trimNext = false;
    const trimLeft = at >= 0 && this.text[at + 2] === '-' && isSpace(this.text[at + 3]);
    if (trimLeft) body = body.replace(/[ \t\r\n]+$/, '');
    if (body.length > 0) this.emit('text', body, start);
    this.pos = end;
    if (at >= 0) this.lexAction(at, trimLeft);
  }

  private lexAction(at: number, trimLeft: boolean): void {
    this.pos = at + 2 + (trimLeft ? 2 : 0);
    this.actionStart = at;
    if (this.text.startsWith('/*', this.pos)) return this.lexComment(at);
    this.emit('left', '{{', at);
    for (;;) {
      if (this.atRightDelim()) return;
      if (this.pos >= this.text.length) throw this.fail(this.pos, 'unclosed action');
      this.lexInside();
    }
  }

  /** `}}` or ` -}}` ends the action; the trim form eats the following white space. */
  private atRightDelim(): boolean {
    const t = this.text;
    if (isSpace(t[this.pos]) && t.startsWith('-}}', this.pos + 1)) {
      this.emit('right', '}}', this.pos);
      this.pos += 4;
      this.trimNext = true;
      return true;
    }
    if (t.startsWith('}}', this.pos)) {
      this.emit('right', '}}', this.pos);
      this.pos += 2;
      return true;
    }
    return false;
  }

  private lexComment(at: number): void {
    const close = this.text.indexOf('*/', this.pos + 2);
    if (close < 0) throw this.fail(at, 'unclosed comment');
    this.pos = close + 2;
    if (!this.atRightDelim()) throw this.fail(at, 'comment ends before closing delimiter');
    this.tokens.pop();
  }

  private lexInside(): void {
    const t = this.text;
    const c = t[this.pos] as string;
    const start = this.pos;
    const single: Record<string, TokenType> = { '|': 'pipe', '(': 'leftParen', ')': 'rightParen', ',': 'comma', '=': 'assign' };
    if (isSpace(c)) {
      // A run stops before the space that belongs to a ` -}}` trim marker.
      while (isSpace(t[this.pos]) && !t.startsWith('-}}', this.pos + 1)) this.pos++;
      this.emit('space', t.slice(start, this.pos), start);
    } else if (single[c] !== undefined) {
      this.pos++;
      this.emit(single[c] as TokenType, c, start);
    } else if (t.startsWith(':=', this.pos)) {
      this.pos += 2;
      this.emit('declare', ':=', start);
    } else if (c === '"') this.lexQuote('"', 'string', 'unterminated quoted string');
    else if (c === '`') this.lexQuote('`', 'rawString', 'unterminated raw quoted string');
    else if (c === "'") this.lexQuote("'", 'char', 'unterminated character constant');
    else if (c === '$') this.lexWord('variable', 1);
    else if (c === '.' && /[0-9]/.test(t[this.pos + 1] ?? '')) this.lexNumber();
    else if (c === '.') this.lexField();
    else if (/[0-9+-]/.test(c)) this.lexNumber();
    else if (isAlnum(c)) this.lexIdentifier();
    else throw this.fail(this.actionStart, `bad character U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')} '${c}'`);
  }

  private lexQuote(q: string, type: TokenType, unterminated: string): void {
    const start = this.pos;
    let i = this.pos + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined || (c === '\n' && q !== '`')) throw this.fail(this.actionStart, unterminated);
      if (c === '\\' && q !== '`') i += 2;
      else if (c === q) break;
      else i++;
    }
    this.pos = i + 1;
    this.emit(type, this.text.slice(start, this.pos), start);
  }

  private lexWord(type: TokenType, skip: number): void {
    const start = this.pos;
    this.pos += skip;
    while (isAlnum(this.text[this.pos])) this.pos++;
    this.emit(type, this.text.slice(start, this.pos), start);
  }

  private lexField(): void {
    if (!isAlnum(this.text[this.pos + 1])) {
      this.pos++;
      this.emit('dot', '.', this.pos - 1);
      return;
    }
    this.lexWord('field', 1);
  }

  private lexIdentifier(): void {
    const start = this.pos;
    this.lexWord('identifier', 0);
    const tok = this.tokens[this.tokens.length - 1] as Token;
    if (keywords.has(tok.value)) tok.type = 'keyword';
    else if (tok.value === 'true' || tok.value === 'false') tok.type = 'bool';
    else if (tok.value === 'nil') tok.type = 'nil';
    tok.pos = start;
  }

  private lexNumber(): void {
    const m = /[+-]?(0[xX][0-9a-fA-F_]+(\.[0-9a-fA-F_]*)?([pP][+-]?\d+)?|0[bB][01_]+|0[oO]?[0-7_]+|(\d[\d_]*)?\.?[\d_]*([eE][+-]?\d+)?)/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.text)?.[0] ?? '';
    const next = this.text[this.pos + found.length];
    if (found === '' || found === '+' || found === '-' || isAlnum(next)) {
      throw this.fail(this.actionStart, `bad number syntax: "${this.text.slice(this.pos, this.pos + found.length + 1)}"`);
    }
    this.emit('number', found, this.pos);
    this.pos += found.length;
  }
}

export function lex(text: string, fail: (pos: number, msg: string) => TemplateError): Token[] {
  return new Lexer(text, fail).run();
}
