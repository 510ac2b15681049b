// `system prune --filter`: podman 4.3 accepts label= (and label!=) and until= there and
// hands them to each prune in turn: containers, then with --volumes volumes — which take
// no `label!=`, refused only when their turn comes, after the containers went — then
// images (image-filter.ts reads the specs itself).
import { RrunError } from '../../oci/errors.js';
import { parseInputTime } from '../../oci/time-input.js';
import { parseTimeNanos } from '../../oci/time.js';

export interface PruneFilters {
  /** `label=` values (key or key=value); all must hold. */
  labels: string[];
  /** `label!=` values; none may hold. */
  notLabels: string[];
  /** Created before this time (ns since the epoch). */
  until?: bigint;
  /** The specs as given, for image prune. */
  specs: string[];
}

const usage = (message: string, subject: string): RrunError =>
  new RrunError({ code: 'ERR_USAGE', message, subject, exitCode: 125, hint: 'system prune filters: label=, label!=, until=' });

export function parsePruneFilters(specs: readonly string[], now: bigint): PruneFilters {
  const out: PruneFilters = { labels: [], notLabels: [], specs: [...specs] };
  for (const spec of specs) {
    const m = /^([^=!]*)(!?=)(.*)$/s.exec(spec);
    const key = m?.[1] ?? spec;
    const value = m?.[3] ?? '';
    if (m === null || !['label', 'until'].includes(key) || (key === 'until' && m[2] === '!=')) throw usage(`${key}${m?.[2] === '!=' ? '!' : ''} is an invalid filter`, key);
    if (key === 'until') {
      const t = parseInputTime(value, now);
      if (t === undefined) throw usage(`failed to parse value as time or duration: "${value}"`, value);
      out.until = t;
    } else if (m[2] === '!=') out.notLabels.push(value);
    else out.labels.push(value);
  }
  return out;
}

/** Volume prune's own check, made when volumes' turn comes. */
export function checkVolumeFilters(f: PruneFilters): void {
  if (f.notLabels.length > 0) throw usage('"label!" is an invalid volume filter', 'label!');
}

/** `key` or `key=value` against a label map. */
export function labelHolds(labels: Readonly<Record<string, string>>, spec: string): boolean {
  const eq = spec.indexOf('=');
  const key = eq < 0 ? spec : spec.slice(0, eq);
  if (!Object.hasOwn(labels, key)) return false;
  return eq < 0 || spec.slice(eq + 1) === '' || labels[key] === spec.slice(eq + 1);
}

/** Whether an object (its labels and RFC 3339 creation time) passes the filters. */
export function prunable(f: PruneFilters, labels: Readonly<Record<string, string>>, created: string): boolean {
  if (!f.labels.every((l) => labelHolds(labels, l))) return false;
  if (f.notLabels.some((l) => labelHolds(labels, l))) return false;
  const t = parseTimeNanos(created);
  return f.until === undefined || (t !== undefined && t < f.until);
}
