// `ps --sort KEY`: podman 4.3's keys and orders, as measured (created and runningfor
// oldest first, status by state, size by the total of --size). The sort is stable:
// equal keys keep the creation order podman's small-list sort keeps.
import { RrunError } from '../../oci/errors.js';
import type { PsEntry } from './ps.js';

export const PS_SORT_KEYS = ['command', 'created', 'id', 'image', 'names', 'runningfor', 'size', 'status'] as const;
export type PsSortKey = (typeof PS_SORT_KEYS)[number];

type Compare = (a: PsEntry, b: PsEntry) => number;
const byText = (f: (e: PsEntry) => string): Compare => (a, b) => (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0);
const byNumber = (f: (e: PsEntry) => number): Compare => (a, b) => f(a) - f(b);
const total = (e: PsEntry): number => (e.Size === null ? 0 : e.Size.rootFsSize + e.Size.rwSize);

const COMPARE: Readonly<Record<PsSortKey, Compare>> = {
  command: byText((e) => e.Command.join(' ')),
  created: byNumber((e) => e.Created),
  id: byText((e) => e.Id),
  image: byText((e) => e.Image),
  names: byText((e) => e.Names[0] ?? ''),
  runningfor: byNumber((e) => e.Created),
  size: byNumber(total),
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
