// Writing the container's uid/gid maps from outside, while the helper's stage 1 waits.
//
// Two modes. `subid` (the default, podman-compatible): run the setuid newuidmap and
// newgidmap from shadow's uidmap package with podman's mapping. `single` (only when
// asked for: machines without /etc/subuid entries): write `0 UID 1` ourselves, which an
// unprivileged process may do for its own ids once `deny` is in /proc/PID/setgroups.
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { ExitCode, RrunError } from '../oci/errors.js';
import {
  mappedCount,
  parseSubIds,
  podmanIdMap,
  rangesContaining,
  type IdMapEntry,
  type SubIdRange,
} from './subid.js';

export type IdMapping =
  | { kind: 'subid'; uid: IdMapEntry[]; gid: IdMapEntry[] }
  | { kind: 'single'; uid: number; gid: number };

export interface IdUser {
  name: string;
  uid: number;
  gid: number;
}

/** What the namespace will look like, for the plan (devpts gid=5, setgroups). */
export interface IdMappingFacts {
  uidCount: number;
  gidCount: number;
  /** False after `deny` was written to setgroups: setgroups(2) then fails with EPERM. */
  setgroupsAllowed: boolean;
}

/** The host, injected so tests run without /etc/subuid or /proc. */
export interface IdmapHost {
  readFile(path: string): string;
  writeFile(path: string, data: string): void;
}

export const realIdmapHost: IdmapHost = {
  readFile: (path) => readFileSync(path, 'utf8'),
  writeFile: (path, data) => writeFileSync(path, data),
};

const addHint = (user: string): string =>
  `add ranges with: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}`;

function loadRanges(file: string, user: IdUser, id: number, host: IdmapHost): SubIdRange[] {
  let text: string;
  try {
    text = host.readFile(file);
  } catch (cause) {
    text = '';
    if ((cause as { code?: unknown }).code !== 'ENOENT')
      throw new RrunError({ code: 'ERR_SUBID_READ', message: `cannot read ${file}`, subject: file, cause });
  }
  const ranges = parseSubIds(text, { name: user.name, id });
  if (ranges.length === 0)
    throw new RrunError({
      code: 'ERR_NO_SUBID_RANGE',
      message: `no subordinate ids for user ${user.name} in ${file} (expected a line like "${user.name}:100000:65536")`,
      hint: addHint(user.name),
      subject: file,
    });
  const bad = rangesContaining(ranges, id);
  if (bad.length > 0)
    throw new RrunError({
      code: 'ERR_SUBID_OVERLAP',
      message: `${file}: range ${bad[0]?.start}:${bad[0]?.count} of ${user.name} contains the user's own id ${id}`,
      hint: `remove that range from ${file}; ${addHint(user.name)}`,
      subject: file,
    });
  return ranges;
}

/** podman's mapping for `user` from /etc/subuid and /etc/subgid. */
export function subidMapping(user: IdUser, host: IdmapHost = realIdmapHost, etc = '/etc'): IdMapping {
  return {
    kind: 'subid',
    uid: podmanIdMap(user.uid, loadRanges(`${etc}/subuid`, user, user.uid, host)),
    gid: podmanIdMap(user.gid, loadRanges(`${etc}/subgid`, user, user.gid, host)),
  };
}

/** The mapping for the user running this process: podman's, or only its own id. */
export function processUserMapping(single: boolean, host: IdmapHost = realIdmapHost): IdMapping {
  const me = userInfo();
  const user = { name: me.username, uid: me.uid, gid: me.gid };
  return single ? singleMapping(user) : subidMapping(user, host);
}

export function singleMapping(user: IdUser): Extract<IdMapping, { kind: 'single' }> {
  return { kind: 'single', uid: user.uid, gid: user.gid };
}

export function mappingFacts(m: IdMapping): IdMappingFacts {
  if (m.kind === 'single') return { uidCount: 1, gidCount: 1, setgroupsAllowed: false };
  return { uidCount: mappedCount(m.uid), gidCount: mappedCount(m.gid), setgroupsAllowed: true };
}

function mapArgv(binary: string, pid: number, entries: IdMapEntry[]): string[] {
  return [binary, String(pid), ...entries.flatMap((e) => [e.inside, e.outside, e.count].map(String))];
}

/** `newuidmap PID 0 UID 1 1 START COUNT …` */
export function newuidmapArgv(pid: number, entries: IdMapEntry[], binary = 'newuidmap'): string[] {
  return mapArgv(binary, pid, entries);
}

/** `newgidmap PID 0 GID 1 1 START COUNT …` */
export function newgidmapArgv(pid: number, entries: IdMapEntry[], binary = 'newgidmap'): string[] {
  return mapArgv(binary, pid, entries);
}

/** The error for a map tool that failed: its argv, how it ended, the head of its stderr. */
export function mapToolError(argv: readonly string[], status: string, stderrText: string): RrunError {
  const tool = argv[0] ?? 'newuidmap';
  const stderr = stderrText.trim().split('\n').slice(-5).join('\n');
  return new RrunError({
    code: 'ERR_IDMAP',
    message: `${argv.join(' ')}: ${status}${stderr ? `: ${stderr}` : ''}`,
    hint: /ENOENT/.test(stderr)
      ? `install ${tool} (Debian/Ubuntu package "uidmap", Fedora "shadow-utils")`
      : `check that ${tool} is setuid root (or has cap_set${tool === 'newgidmap' ? 'gid' : 'uid'}) and that the ranges match /etc/sub${tool === 'newgidmap' ? 'gid' : 'uid'}`,
    subject: tool,
    exitCode: ExitCode.Internal,
  });
}

/**
 * The map tools for the helper to run itself (argv without the pid, which it inserts);
 * undefined for a single-id mapping, which needs no tool.
 */
export function idmapTools(m: IdMapping, binaries = { uid: 'newuidmap', gid: 'newgidmap' }): { uid: string[]; gid: string[] } | undefined {
  if (m.kind !== 'subid') return undefined;
  const strip = (argv: string[]): string[] => [argv[0] as string, ...argv.slice(2)];
  return { uid: strip(newuidmapArgv(0, m.uid, binaries.uid)), gid: strip(newgidmapArgv(0, m.gid, binaries.gid)) };
}

/**
 * Writes a single-id map for process `pid` (the helper's stage 1). podman's subordinate-id
 * map needs newuidmap/newgidmap, which the helper runs itself (`idmapTools`).
 */
export function writeSingleIdMap(pid: number, m: Extract<IdMapping, { kind: 'single' }>, host: IdmapHost = realIdmapHost): void {
  // Without CAP_SETGID upstream, gid_map may only be written after setgroups=deny.
  const steps: [string, string][] = [
    [`/proc/${pid}/setgroups`, 'deny'],
    [`/proc/${pid}/uid_map`, `0 ${m.uid} 1\n`],
    [`/proc/${pid}/gid_map`, `0 ${m.gid} 1\n`],
  ];
  for (const [path, data] of steps) {
    try {
      host.writeFile(path, data);
    } catch (cause) {
      throw new RrunError({ code: 'ERR_IDMAP', message: `writing "${data.trim()}" to ${path} failed`, subject: path, cause });
    }
  }
}
