// Executing a parsed Go template against Go-shaped data (values.ts). Follows Go 1.19's
// text/template exec.go behaviour: method-then-field lookup with promotion through
// embedded structs, `<no value>` for missing map keys, lazy and/or, range over maps
// in key order, break/continue, variables scoped to control structures, and Go's
// error messages with the node and its line:column.
import { argString, commandString, pipeString, type Arg, type Command, type ControlNode, type Node, type Pipe } from './ast.js';
import { CallError, location, TemplateError } from './errors.js';
import { checkArg, type FuncMap, type ParamType } from './funcs.js';
import { formatValue } from './printf.js';
import type { Template } from './parse.js';
import { embeddedFields, GoTime, isTrue, kindOf, sortedEntries, typeName, type GoFunc, type GoObject, type GoValue } from './values.js';

const noFinal: unique symbol = Symbol('noFinal');
type Final = GoValue | typeof noFinal;

class Break {}
class Continue {}

interface Variable {
  name: string;
  value: GoValue;
}

/** Methods of time.Time that podman users call in templates. */
const timeMethods: Record<string, (t: GoTime) => GoValue> = {
  Unix: (t) => Math.floor(t.ms / 1000),
  UnixNano: (t) => Math.floor(t.ms / 1000) * 1e9 + t.nanos,
  String: (t) => t.toString(),
  IsZero: (t) => t.ms === -62135596800000 && t.nanos === 0,
};

export class Executor {
  private vars: Variable[] = [];
  private out = '';

  constructor(
    private readonly tmpl: Template,
    private readonly funcs: FuncMap,
  ) {}

  /** Run the template on `data`; on failure the text printed so far is in `partial`. */
  execute(data: GoValue): string {
    this.vars = [{ name: '$', value: data }];
    this.out = '';
    try {
      this.walkList(data, this.tmpl.root);
    } catch (err) {
      if (err instanceof TemplateError) Object.assign(err, { partial: this.out });
      throw err;
    }
    return this.out;
  }

  private fail(pos: number, node: string, msg: string): TemplateError {
    const { line, col } = location(this.tmpl.text, pos);
    const name = this.tmpl.name;
    return new TemplateError(`${name}:${line}:${col}: executing "${name}" at <${node}>: ${msg}`);
  }

  private walkList(dot: GoValue, list: readonly Node[]): void {
    for (const node of list) this.walk(dot, node);
  }

  private walk(dot: GoValue, node: Node): void {
    switch (node.kind) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out += printable(v);
        return;
      }
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'range':
        return this.walkRange(dot, node);
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
    }
  }

  private scoped(fn: () => void): void {
    const mark = this.vars.length;
    try {
      fn();
    } finally {
      this.vars.length = mark;
    }
  }

  private walkIfOrWith(dot: GoValue, node: ControlNode): void {
    this.scoped(() => {
      const v = this.evalPipeline(dot, node.pipe);
      if (isTrue(v)) this.walkList(node.kind === 'with' ? v : dot, node.list);
      else if (node.elseList !== undefined) this.walkList(dot, node.elseList);
    });
  }

  private walkRange(dot: GoValue, node: ControlNode): void {
    this.scoped(() => {
      const v = this.evalPipeline(dot, node.pipe);
      const mark = this.vars.length;
      const items = this.rangeItems(v, node);
      for (const [key, elem] of items) {
        if (node.pipe.decl.length === 1) (this.vars[mark - 1] as Variable).value = elem;
        if (node.pipe.decl.length === 2) {
          (this.vars[mark - 2] as Variable).value = key;
          (this.vars[mark - 1] as Variable).value = elem;
        }
        try {
          this.scoped(() => this.walkList(elem, node.list));
        } catch (err) {
          if (err instanceof Break) break;
          if (!(err instanceof Continue)) throw err;
        }
      }
      if (items.length === 0 && node.elseList !== undefined) this.walkList(dot, node.elseList);
    });
  }

  private rangeItems(v: GoValue, node: ControlNode): [GoValue, GoValue][] {
    switch (kindOf(v)) {
      case 'slice':
        return (v as readonly GoValue[]).map((e, i) => [i, e]);
      case 'map':
        return sortedEntries(v as GoObject);
      case 'invalid':
      case 'nil':
        return [];
      default:
        throw this.fail(node.pipe.pos, pipeString(node.pipe), `range can't iterate over ${formatValue(v)}`);
    }
  }

  evalPipeline(dot: GoValue, pipe: Pipe): GoValue {
    let value: Final = noFinal;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const result = value === noFinal ? undefined : value;
    if (pipe.isAssign) {
      const v = [...this.vars].reverse().find((x) => x.name === pipe.decl[0]);
      if (v !== undefined) v.value = result;
    } else for (const name of pipe.decl) this.vars.push({ name, value: result });
    return result;
  }

  private evalCommand(dot: GoValue, cmd: Command, final: Final): GoValue {
    const first = cmd.args[0] as Arg;
    switch (first.kind) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.names, cmd.args, final);
      case 'variable': {
        const base = this.variable(first.names[0] as string);
        if (first.names.length === 1) return this.notAFunction(cmd, final, base);
        return this.evalFieldChain(dot, base, first, first.names.slice(1), cmd.args, final);
      }
      case 'chain': {
        const base = this.evalArgAny(dot, first.node);
        return this.evalFieldChain(dot, base, first, first.names, cmd.args, final);
      }
      case 'identifier':
        return this.evalFunction(dot, first.name, cmd, final);
      case 'pipe':
        return this.notAFunction(cmd, final, this.evalPipeline(dot, first.pipe));
      case 'nil':
        throw this.fail(first.pos, 'nil', 'nil is not a command');
      default:
        return this.notAFunction(cmd, final, this.evalArgAny(dot, first));
    }
  }

  private notAFunction(cmd: Command, final: Final, value: GoValue): GoValue {
    if (cmd.args.length > 1 || final !== noFinal) {
      throw this.fail(cmd.pos, commandString(cmd), `can't give argument to non-function ${argString(cmd.args[0] as Arg)}`);
    }
    return value;
  }

  private variable(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if ((this.vars[i] as Variable).name === name) return (this.vars[i] as Variable).value;
    return undefined;
  }

  private evalFieldChain(dot: GoValue, receiver: GoValue, node: Arg, names: readonly string[], args: readonly Arg[], final: Final): GoValue {
    let v = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      v = this.evalField(dot, name, node, last ? args : [], last ? final : noFinal, v);
    });
    return v;
  }

  private evalField(dot: GoValue, name: string, node: Arg, args: readonly Arg[], final: Final, receiver: GoValue): GoValue {
    const kind = kindOf(receiver);
    if (kind === 'invalid' || kind === 'nil') return undefined;
    const hasArgs = args.length > 1 || final !== noFinal;
    if (kind === 'time' && timeMethods[name] !== undefined) return timeMethods[name](receiver as GoTime);
    if (kind === 'struct') {
      const found = lookupMember(receiver as GoObject, name);
      if (typeof found === 'function') return this.callMethod(dot, found, name, node, args, final);
      if (found !== missing) {
        if (hasArgs) throw this.fail(node.pos, argString(node), `${name} has arguments but cannot be invoked as function`);
        return found;
      }
    }
    if (kind === 'map') {
      if (hasArgs) throw this.fail(node.pos, argString(node), `${name} is not a method but has arguments`);
      return Object.hasOwn(receiver as GoObject, name) ? (receiver as GoObject)[name] : undefined;
    }
    throw this.fail(node.pos, argString(node), `can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private callMethod(dot: GoValue, fn: GoFunc, name: string, node: Arg, args: readonly Arg[], final: Final): GoValue {
    const values = args.slice(1).map((a) => this.evalArgAny(dot, a));
    if (final !== noFinal) values.push(final);
    try {
      return fn(...values);
    } catch (err) {
      if (err instanceof CallError) throw this.fail(node.pos, argString(node), `error calling ${name}: ${err.message}`);
      throw err;
    }
  }

  private evalFunction(dot: GoValue, name: string, cmd: Command, final: Final): GoValue {
    const def = this.funcs[name];
    if (def === undefined) throw this.fail(cmd.pos, commandString(cmd), `"${name}" is not a defined function`);
    const argNodes = cmd.args.slice(1);
    if (def.lazy === true) return this.evalLazy(dot, name, argNodes, final, cmd);
    const nargs = argNodes.length + (final === noFinal ? 0 : 1);
    const fixed = def.params.length;
    if (def.variadic === undefined ? nargs !== fixed : nargs < fixed) {
      throw this.fail(cmd.pos, commandString(cmd), `wrong number of args for ${name}: want ${def.variadic === undefined ? '' : 'at least '}${fixed} got ${nargs}`);
    }
    const values = argNodes.map((a, i) => this.evalArg(dot, a, def.params[i] ?? (def.variadic as ParamType)));
    if (final !== noFinal) values.push(final);
    try {
      return def.fn(...values);
    } catch (err) {
      if (err instanceof CallError) throw this.fail(cmd.pos, commandString(cmd), `error calling ${name}: ${err.message}`);
      throw err;
    }
  }

  /** `and`/`or` stop at the first false/true argument (Go ≥ 1.18) and return it. */
  private evalLazy(dot: GoValue, name: string, argNodes: readonly Arg[], final: Final, cmd: Command): GoValue {
    if (argNodes.length + (final === noFinal ? 0 : 1) < 1) throw this.fail(cmd.pos, commandString(cmd), `wrong number of args for ${name}: want at least 1 got 0`);
    let v: GoValue;
    for (const a of argNodes) {
      v = this.evalArgAny(dot, a);
      if (isTrue(v) === (name === 'or')) return v;
    }
    return final === noFinal ? v : final;
  }

  private evalArg(dot: GoValue, node: Arg, type: ParamType): GoValue {
    const constant = node.kind === 'string' || node.kind === 'number' || node.kind === 'bool';
    const v = this.evalArgAny(dot, node);
    const problem = checkArg(v, type, constant ? argString(node) : undefined);
    if (problem !== undefined) throw this.fail(node.pos, argString(node), problem);
    return v;
  }

  private evalArgAny(dot: GoValue, node: Arg): GoValue {
    switch (node.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
      case 'number':
      case 'string':
        return node.value;
      case 'field':
        return this.evalFieldChain(dot, dot, node, node.names, [node], noFinal);
      case 'variable':
        return this.evalFieldChain(dot, this.variable(node.names[0] as string), node, node.names.slice(1), [node], noFinal);
      case 'chain':
        return this.evalFieldChain(dot, this.evalArgAny(dot, node.node), node, node.names, [node], noFinal);
      case 'pipe':
        return this.scopedValue(() => this.evalPipeline(dot, node.pipe));
      case 'identifier':
        return this.evalFunction(dot, node.name, { pos: node.pos, args: [node] }, noFinal);
    }
  }

  private scopedValue(fn: () => GoValue): GoValue {
    const mark = this.vars.length;
    try {
      return fn();
    } finally {
      this.vars.length = mark;
    }
  }
}

const missing: unique symbol = Symbol('missing');

/** A struct member: method or field, searching embedded structs breadth-first. */
function lookupMember(obj: GoObject, name: string): GoValue | typeof missing {
  if (Object.hasOwn(obj, name)) return obj[name];
  for (const embedded of embeddedFields(obj)) {
    const inner = obj[embedded];
    if (kindOf(inner) === 'struct') {
      const found = lookupMember(inner as GoObject, name);
      if (found !== missing) return found;
    }
  }
  return missing;
}

/** What an action prints: `<no value>` for missing, pointers dereferenced. */
function printable(v: GoValue): string {
  return formatValue(v, false, 1);
}
