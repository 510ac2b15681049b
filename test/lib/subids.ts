// /etc/subuid and /etc/subgid: `name:start:count` lines (a line may also name the
// user by numeric uid, as shadow-utils accepts).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { SubIdRange } from './bed.js';

export interface SubIdEntry extends SubIdRange {
  owner: string;
}

export const SUBID_COUNT = 65536;
const FIRST_START = 100000;

export function parseSubIds(text: string): SubIdEntry[] {
  const out: SubIdEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [owner, start, count] = line.split(':');
    if (owner === undefined || start === undefined || count === undefined) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isInteger(s) && Number.isInteger(c)) out.push({ owner, start: s, count: c });
  }
  return out;
}

export function readSubIds(path: string): SubIdEntry[] {
  return existsSync(path) ? parseSubIds(readFileSync(path, 'utf8')) : [];
}

/** The first range of at least `count` ids owned by the user (by name or uid). */
export function findRange(entries: SubIdEntry[], user: string, uid: number, count = SUBID_COUNT): SubIdRange | undefined {
  const e = entries.find((x) => (x.owner === user || x.owner === String(uid)) && x.count >= count);
  return e === undefined ? undefined : { start: e.start, count: e.count };
}

/** The lowest start at or above 100000 overlapping none of the given ranges (as useradd picks). */
export function freeStart(taken: SubIdRange[], count = SUBID_COUNT): number {
  let start = FIRST_START;
  for (;;) {
    const end = start + count;
    const clash = taken.find((r) => r.start < end && start < r.start + r.count);
    if (clash === undefined) return start;
    start = clash.start + clash.count;
  }
}

function appendLine(path: string, line: string): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  appendFileSync(path, `${sep}${line}\n`, { mode: 0o644 });
}

/**
 * Gives the user the same range in /etc/subuid and /etc/subgid unless both already
 * hold one. Returns the ranges and whether a file changed (podman then needs
 * `podman system migrate` to pick the new map up).
 */
export function ensureSubIds(user: string, uid: number): { subuid: SubIdRange; subgid: SubIdRange; changed: boolean } {
  const uids = readSubIds('/etc/subuid');
  const gids = readSubIds('/etc/subgid');
  let subuid = findRange(uids, user, uid);
  let subgid = findRange(gids, user, uid);
  let changed = false;
  if (subuid === undefined || subgid === undefined) {
    const start = freeStart([...uids, ...gids]);
    if (subuid === undefined) {
      appendLine('/etc/subuid', `${user}:${start}:${SUBID_COUNT}`);
      subuid = { start, count: SUBID_COUNT };
    }
    if (subgid === undefined) {
      appendLine('/etc/subgid', `${user}:${start}:${SUBID_COUNT}`);
      subgid = { start, count: SUBID_COUNT };
    }
    changed = true;
  }
  return { subuid, subgid, changed };
}
