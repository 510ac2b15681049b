// Parser for Go's text/template: the token stream from lexer.ts into the tree of
// ast.ts, with Go's checks at parse time (unknown functions, undefined variables,
// break/continue outside range) and Go's messages for them.
import type { Arg, Command, Node, Pipe } from './ast.js';
import { lateParseError, parseError, type TemplateError } from './errors.js';
import { lex, type Token } from './lexer.js';
import { parseNumber, unquote } from './literals.js';

export interface Template {
  name: string;
  text: string;
  root: Node[];
}

type End = 'end' | 'else' | 'eof';

class Parser {
  private i = 0;
  private vars: string[][] = [['$']];
  private rangeDepth = 0;
  private readonly tokens: Token[];

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly funcs: ReadonlySet<string>,
  ) {
    this.tokens = lex(text, (pos, msg) => this.error(pos, msg));
  }

  error(pos: number, msg: string): TemplateError {
    return parseError(this.name, this.text, pos, msg);
  }

  lateError(pos: number, msg: string): TemplateError {
    return lateParseError(this.name, this.text, pos, msg);
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    return this.tokens[this.i++] as Token;
  }

  private peekNonSpace(): Token {
    while (this.peek().type === 'space') this.i++;
    return this.peek();
  }

  private nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }

  private expect(type: Token['type'], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) throw this.unexpected(t, context);
    return t;
  }

  private unexpected(t: Token, context: string): TemplateError {
    if (t.type === 'eof') return this.lateError(t.pos, `unexpected EOF`);
    const shown = t.type === 'right' ? '"}}"' : t.type === 'space' ? 'space' : `"${t.value}"`;
    return this.error(t.pos, `unexpected ${shown} in ${context}`);
  }

  /** A list of nodes up to `{{end}}`, `{{else}}` or the end of input. */
  list(): { nodes: Node[]; end: End; endTok: Token } {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.type === 'eof') return { nodes, end: 'eof', endTok: t };
      if (t.type === 'text') {
        nodes.push({ kind: 'text', text: t.value });
        continue;
      }
      const kw = this.peekNonSpace();
      if (kw.type === 'keyword' && (kw.value === 'end' || kw.value === 'else')) {
        this.next();
        return { nodes, end: kw.value, endTok: kw };
      }
      nodes.push(this.action());
    }
  }

  private action(): Node {
    const t = this.peekNonSpace();
    if (t.type !== 'keyword') {
      const pipe = this.pipeline('command', 'right');
      return { kind: 'action', pos: t.pos, pipe };
    }
    this.next();
    switch (t.value) {
      case 'if':
      case 'with':
      case 'range':
        return this.control(t.value, t.pos);
      case 'break':
      case 'continue':
        if (this.rangeDepth === 0) throw this.error(t.pos, `{{${t.value}}} outside {{range}}`);
        this.expect('right', t.value);
        return { kind: t.value, pos: t.pos };
      default:
        throw this.error(t.pos, `{{${t.value}}} is not supported by rrun's template engine`);
    }
  }

  private control(kind: 'if' | 'with' | 'range', pos: number): Node {
    this.vars.push([...(this.vars[this.vars.length - 1] ?? [])]);
    const pipe = this.pipeline(kind, 'right');
    if (kind === 'range') this.rangeDepth++;
    const body = this.list();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.end === 'eof') throw this.lateError(body.endTok.pos, 'unexpected EOF');
    if (body.end === 'else') elseList = this.elseBranch(kind);
    else this.expect('right', 'end');
    this.vars.pop();
    return { kind, pos, pipe, list: body.nodes, elseList };
  }

  /** After `{{else`: either `}}` and a list up to `{{end}}`, or `if …` chaining. */
  private elseBranch(kind: 'if' | 'with' | 'range'): Node[] {
    const t = this.peekNonSpace();
    if (kind === 'if' && t.type === 'keyword' && t.value === 'if') {
      this.next();
      // `{{else if x}}…{{end}}` is `{{else}}{{if x}}…{{end}}{{end}}`: the inner if eats the end.
      return [this.control('if', t.pos)];
    }
    this.expect('right', 'else');
    const rest = this.list();
    if (rest.end !== 'end') throw rest.end === 'eof' ? this.lateError(rest.endTok.pos, 'unexpected EOF') : this.error(rest.endTok.pos, 'expected end; found {{else}}');
    this.expect('right', 'end');
    return rest.nodes;
  }

  pipeline(context: string, end: 'right' | 'rightParen'): Pipe {
    const start = this.peekNonSpace();
    const pipe: Pipe = { pos: start.pos, decl: [], isAssign: false, cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.peekNonSpace();
      if (t.type === end) {
        this.next();
        if (pipe.cmds.length === 0) throw this.error(t.pos, `missing value for ${context}`);
        return pipe;
      }
      pipe.cmds.push(this.command(end));
    }
  }

  private declarations(pipe: Pipe, context: string): void {
    const save = this.i;
    const v = this.peekNonSpace();
    if (v.type !== 'variable') return;
    this.next();
    const op = this.peekNonSpace();
    if (op.type === 'comma' && context === 'range') {
      this.next();
      const second = this.expect('variable', 'range');
      const decl = this.expect('declare', 'range');
      pipe.decl = [v.value, second.value];
      return void this.declare(pipe.decl, decl.pos);
    }
    if (op.type === 'declare' || op.type === 'assign') {
      this.next();
      pipe.decl = [v.value];
      pipe.isAssign = op.type === 'assign';
      if (pipe.isAssign) this.lookupVar(v.value, v.pos);
      else this.declare(pipe.decl, op.pos);
      return;
    }
    this.i = save;
  }

  private declare(names: string[], _pos: number): void {
    (this.vars[this.vars.length - 1] as string[]).push(...names);
  }

  private lookupVar(name: string, pos: number): void {
    if (!(this.vars[this.vars.length - 1] ?? []).includes(name)) throw this.error(pos, `undefined variable "${name}"`);
  }

  private command(end: 'right' | 'rightParen'): Command {
    const cmd: Command = { pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      const t = this.peekNonSpace();
      if (t.type === end || t.type === 'pipe') {
        if (cmd.args.length === 0) throw this.error(t.pos, 'missing value for command');
        if (t.type === 'pipe') this.next();
        return cmd;
      }
      if (t.type === 'eof') throw this.error(t.pos, 'unclosed action');
      cmd.args.push(this.operand());
      const after = this.peek();
      if (after.type !== 'space' && after.type !== end && after.type !== 'pipe') throw this.unexpected(after, 'operand');
    }
  }

  private operand(): Arg {
    const node = this.term();
    const names: string[] = [];
    let fieldPos = -1;
    while (this.peek().type === 'field') {
      const f = this.next();
      if (fieldPos < 0) fieldPos = f.pos;
      names.push(f.value.slice(1));
    }
    if (names.length === 0) return node;
    // Go reports a chained field at its second element (`{{.Tag.Foo}}` is "at col of .Foo").
    if (node.kind === 'field' || node.kind === 'variable') return { ...node, pos: fieldPos, names: [...node.names, ...names] };
    if (node.kind === 'bool' || node.kind === 'string' || node.kind === 'number' || node.kind === 'nil' || node.kind === 'dot') {
      throw this.error(fieldPos, `unexpected . after term "${node.kind === 'dot' ? '.' : 'text' in node ? node.text : String(node.kind)}"`);
    }
    return { kind: 'chain', pos: fieldPos, node, names };
  }

  private term(): Arg {
    const t = this.nextNonSpace();
    const table: Partial<Record<Token['type'], () => Arg>> = {
      field: () => ({ kind: 'field', pos: t.pos, names: [t.value.slice(1)] }),
      variable: () => (this.lookupVar(t.value, t.pos), { kind: 'variable', pos: t.pos, names: [t.value] }),
      dot: () => ({ kind: 'dot', pos: t.pos }),
      nil: () => ({ kind: 'nil', pos: t.pos }),
      bool: () => ({ kind: 'bool', pos: t.pos, value: t.value === 'true' }),
      number: () => ({ kind: 'number', pos: t.pos, text: t.value, value: parseNumber(t.value, (m) => this.error(t.pos, m)) }),
      char: () => ({ kind: 'number', pos: t.pos, text: t.value, value: unquote(t.value, (m) => this.error(t.pos, m)).codePointAt(0) ?? 0 }),
      string: () => ({ kind: 'string', pos: t.pos, text: t.value, value: unquote(t.value, (m) => this.error(t.pos, m)) }),
      rawString: () => ({ kind: 'string', pos: t.pos, text: t.value, value: t.value.slice(1, -1) }),
      identifier: () => {
        if (!this.funcs.has(t.value)) throw this.error(t.pos, `function "${t.value}" not defined`);
        return { kind: 'identifier', pos: t.pos, name: t.value };
      },
      leftParen: () => ({ kind: 'pipe', pos: t.pos, pipe: this.pipeline('parenthesized pipeline', 'rightParen') }),
    };
    const make = table[t.type];
    if (make === undefined) throw this.unexpected(t, 'operand');
    return make();
  }
}

/** Parse `text` as template `name`; `funcs` are the function names it may call. */
export function parseTemplate(name: string, text: string, funcs: ReadonlySet<string>): Template {
  const p = new Parser(name, text, funcs);
  const { nodes, end, endTok } = p.list();
  if (end !== 'eof') throw p.lateError(endTok.pos, `unexpected {{${end}}}`);
  return { name, text, root: nodes };
}
