// podman's `--format` handling (containers/common's report package, as in podman 4.3):
//   - `json` or `{{json .}}` alone means "print the JSON document" (the caller does it);
//   - `table …` prints a header row (the template run over a map of column titles)
//     then the rows, all through a tabwriter; spaces in a table template become tabs;
//   - `\t` and `\n` typed as two characters become a tab and a newline, and every
//     template ends with a newline;
//   - list commands wrap a user template in `{{range .}}…{{end -}}` unless it ranges
//     over `.` itself, which is why errors point at column 13 for `{{.Nope}}`.
import { TemplateError } from './errors.js';
import { Executor } from './exec.js';
import { allFuncs, type FuncMap } from './funcs.js';
import { parseTemplate } from './parse.js';
import { tabwrite } from './tabwriter.js';
import type { GoValue } from './values.js';

const jsonFormat = /^\s*(json|\{\{\s*json\s*(\.)?\s*\}\})\s*$/;

/** podman's report.IsJSON: the whole format asks for the JSON document. */
export function isJsonFormat(format: string): boolean {
  return jsonFormat.test(format);
}

export function isTableFormat(format: string): boolean {
  return format.startsWith('table ');
}

/** report.NormalizeFormat. */
export function normalizeFormat(format: string): string {
  const table = isTableFormat(format);
  let f = table ? format.slice('table '.length) : format;
  if (table) f = f.replaceAll(' ', '\t');
  f = f.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  return f.endsWith('\n') ? f : `${f}\n`;
}

const rangeOverDot = /\{\{-?\s*range\s*\.\s*-?\}\}/;

/** report.EnforceRange: list templates always iterate over the rows. */
export function enforceRange(text: string): string {
  return rangeOverDot.test(text) ? text : `{{range .}}${text}{{end -}}`;
}

export interface ReportOptions {
  /** Template name in error messages: the command (`images`, `ps`, `inspect`). */
  name: string;
  format: string;
  /** The data is a list of rows (podman's OriginUser with EnforceRange). */
  list: boolean;
  /** Column titles by field name; a table prints them first unless noHeading. */
  headers?: Readonly<Record<string, string>>;
  noHeading?: boolean;
  funcs?: FuncMap;
}

/** A failed template run: the error, and what was printed before it (Go writes as it goes). */
export class ReportError extends TemplateError {
  constructor(
    cause: TemplateError,
    readonly partial: string,
  ) {
    super(cause.message.replace(/^template: /, ''));
  }
}

/** The text podman prints for `--format FORMAT` over `data` (rows when `list`). */
export function renderReport(opts: ReportOptions, data: GoValue): string {
  const table = isTableFormat(opts.format);
  let text = normalizeFormat(opts.format);
  if (table) text = `{{range .}}${text}{{end -}}`;
  else if (opts.list) text = enforceRange(text);
  const funcs = opts.funcs ?? allFuncs;
  const tmpl = parseTemplate(opts.name, text, new Set(Object.keys(funcs)));
  const exec = new Executor(tmpl, funcs);
  let out = '';
  const finish = (s: string): string => (table ? tabwrite(s) : s);
  try {
    if (table && opts.noHeading !== true && opts.headers !== undefined) out += exec.execute([opts.headers]);
    out += exec.execute(table && !opts.list ? [data] : data);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    const partial = (err as TemplateError & { partial?: string }).partial ?? '';
    throw new ReportError(err, finish(out + partial));
  }
  return finish(out);
}

/** camelcase.Split as report.Headers uses it: `VirtualSize` → `VIRTUAL SIZE`, `ImageID` → `IMAGE ID`. */
export function headerFor(field: string): string {
  const words = field.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+|[^A-Za-z0-9]+/g) ?? [field];
  return words.join(' ').toUpperCase();
}

/** report.Headers: a title for every field, with podman's per-command overrides. */
export function headers(fields: readonly string[], overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f, overrides[f] ?? headerFor(f)]));
}

/** Run one template text as is (no podman munging): the engine alone. */
export function executeTemplate(name: string, text: string, data: GoValue, funcs: FuncMap = allFuncs): string {
  return new Executor(parseTemplate(name, text, new Set(Object.keys(funcs))), funcs).execute(data);
}
