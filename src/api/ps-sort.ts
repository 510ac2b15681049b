// `ps --sort KEY`: podman 4.3's keys and orders, as measured (created oldest first,
// runningfor by start time, status by state, size by the image layers' size). The sort is stable:
// equal keys keep the creation order podman's small-list sort keeps.
import { RrunError } from '../../oci/errors.js';
import type { PsEntry } from './ps.js';

export const PS_SORT_KEYS = ['command', 'created', 'id', 'image', 'names', 'runningfor', 'size', 'status'] as const;
export type PsSortKey = (typeof PS_SORT_KEYS)[number];

type Compare = (a: PsEntry, b: PsEntry) => number;
const byText = (f: (e: PsEntry) => string): Compare => (a, b) => (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0);
const byNumber = (f: (e: PsEntry) => number): Compare => (a, b) => f(a) - f(b);

const COMPARE: Readonly<Record<PsSortKey, Compare>> = {
  command: byText((e) => e.Command.join(' ')),
  created: byNumber((e) => e.Created),
  id: byText((e) => e.Id),
  image: byText((e) => e.Image),
  names: byText((e) => e.Names[0] ?? ''),
  // By start time: a container never started (Go's zero time) comes first.
  runningfor: byNumber((e) => e.StartedAt),
  // podman compares the image part only; without --size nothing moves.
  size: byNumber((e) => e.Size?.rootFsSize ?? 0),
  status: byText((e) => e.State),
};

export function parsePsSort(value: string): PsSortKey {
  if ((PS_SORT_KEYS as readonly string[]).includes(value)) return value as PsSortKey;
  throw new RrunError({
    code: 'ERR_USAGE', exitCode: 125, subject: value,
    message: `invalid argument "${value}" for "--sort" flag: "${value}" is not a valid value.  Choose from: "${PS_SORT_KEYS.join(', ')}"`,
  });
}

/** A sorted copy (Array.prototype.sort is stable). */
export function sortPsEntries(entries: readonly PsEntry[], key: PsSortKey): PsEntry[] {
  return [...entries].sort(COMPARE[key]);
}
