// Rendering for the terminal: podman's tables (Go tabwriter with minwidth 12, padding 2),
// its human sizes and durations, and JSON the way Go's MarshalIndent prints it.

/** Go text/tabwriter(minwidth=12, tabwidth=2, padding=2, ' ') over rows of cells. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    const longest = Math.max(...rows.map((r) => (r[c] ?? '').length));
    widths.push(Math.max(12, longest + 2));
  }
  return rows
    .map((r) => r.map((cell, c) => (c < r.length - 1 ? cell.padEnd(widths[c] ?? 0) : cell)).join('') + '\n')
    .join('');
}

/** Decimal (1000-based) scaling as go-units does: the value below 1000 and its unit. */
function decimalScale(bytes: number): { size: number; unit: string } {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return { size, unit: units[i] as string };
}

/** go-units HumanSizeWithPrecision(size, 3): decimal units, three significant digits. */
export function humanSize(bytes: number): string {
  const { size, unit } = decimalScale(bytes);
  return `${formatG3(size)} ${unit}`;
}

/**
 * go-units HumanSizeWithPrecision: `precision` significant digits, no space — four for
 * `system df` (`8.582MB`, `0B`), three for `ps --size` (`5.01kB`).
 */
export function compactSize(bytes: number, precision = 4): string {
  const { size, unit } = decimalScale(bytes);
  return `${size === 0 ? '0' : String(Number(size.toPrecision(precision)))}${unit}`;
}

/** Go's %.3g for the values humanSize produces (0 ≤ v < 1000). */
function formatG3(v: number): string {
  if (v === 0) return '0';
  const s = Number(v.toPrecision(3));
  return String(s);
}

/** go-units HumanDuration, as podman shows "CREATED" columns (without " ago"). */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const minutes = s / 60;
  const hours = minutes / 60;
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  if (Math.round(minutes) === 1) return 'About a minute';
  if (minutes < 60) return `${Math.round(minutes)} minutes`;
  if (Math.round(hours) === 1) return 'About an hour';
  if (hours < 48) return `${Math.round(hours)} hours`;
  if (hours < 24 * 7 * 2) return `${Math.round(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.round(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.round(hours / 24 / 30)} months`;
  return `${Math.round(hours / 24 / 365)} years`;
}

export function timeAgo(epochSeconds: number, now: number = Date.now() / 1000): string {
  return `${humanDuration(now - epochSeconds)} ago`;
}

/**
 * JSON as Go writes it with an indent, plus a newline. json.MarshalIndent escapes
 * `<`, `>` and `&` (podman images); podman's inspect encoder turns that off.
 */
export function goJson(value: unknown, indent = '    ', escapeHtml = true): string {
  const text = JSON.stringify(value, null, indent).replace(/[\u2028\u2029]/g, (c) =>
    c === '\u2028' ? '\\u2028' : '\\u2029',
  );
  return `${escapeHtml ? text.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : text}\n`;
}

function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  return s === '' || /^[\s\-?:,[\]{}#&*!|>'"%@`]|: | #|\s$|^(true|false|null|~|\d[\d.e+-]*)$/i.test(s) ? JSON.stringify(s) : s;
}

/** A small YAML writer for podman-style `info` output (maps, lists, scalars). */
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    return `\n${value
      .map((item) => {
        const body = toYaml(item, `${indent}  `);
        return typeof item === 'object' && item !== null ? `${indent}- ${body.trimStart()}` : `${indent}-${body}`;
      })
      .join('')}`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return ' {}\n';
    const lines = entries.map(([k, v]) => `${indent}${k}:${toYaml(v, `${indent}  `)}`).join('');
    return indent === '' ? lines : `\n${lines}`;
  }
  return ` ${yamlScalar(value)}\n`;
}
