// /etc/subuid and /etc/subgid, and the id mapping podman builds from them.
//
// podman's mapping (pkg/rootless tryMappingTool, measured in §1.2 of the runtime notes):
// container 0 → the user's own id (count 1), then every subordinate range of the user,
// sorted by start, concatenated from container id 1. rrun must reproduce it exactly:
// layers extracted under a different mapping show different owners than podman's.

export interface SubIdRange {
  start: number;
  count: number;
}

/** One line of uid_map/gid_map, `inside outside count`. */
export interface IdMapEntry {
  inside: number;
  outside: number;
  count: number;
}

export interface SubIdOwner {
  name: string;
  /** The uid for /etc/subuid, the gid for /etc/subgid: lines may name it numerically. */
  id: number;
}

/** The ranges of one user in /etc/subuid or /etc/subgid text (lines `name-or-id:start:count`). */
export function parseSubIds(text: string, owner: SubIdOwner): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [who, start, count, ...rest] = line.split(':');
    if (rest.length > 0 || who === undefined || start === undefined || count === undefined) continue;
    if (who !== owner.name && who !== String(owner.id)) continue;
    if (!/^\d+$/.test(start) || !/^\d+$/.test(count)) continue;
    const range = { start: Number(start), count: Number(count) };
    if (range.count > 0) out.push(range);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Ranges that contain the user's own id; podman refuses to map those. */
export function rangesContaining(ranges: SubIdRange[], id: number): SubIdRange[] {
  return ranges.filter((r) => id >= r.start && id < r.start + r.count);
}

/** podman's mapping: `0 → hostId`, then the ranges back to back from container id 1. */
export function podmanIdMap(hostId: number, ranges: SubIdRange[]): IdMapEntry[] {
  const out: IdMapEntry[] = [{ inside: 0, outside: hostId, count: 1 }];
  let next = 1;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    out.push({ inside: next, outside: r.start, count: r.count });
    next += r.count;
  }
  return out;
}

/** Number of ids that exist inside (e.g. whether gid 5 for devpts is mapped). */
export function mappedCount(entries: IdMapEntry[]): number {
  return entries.reduce((n, e) => Math.max(n, e.inside + e.count), 0);
}

/** The text of /proc/PID/uid_map for these entries, as the kernel prints it. */
export function formatIdMap(entries: IdMapEntry[]): string {
  return entries
    .map((e) => `${String(e.inside).padStart(10)} ${String(e.outside).padStart(10)} ${String(e.count).padStart(10)}\n`)
    .join('');
}
