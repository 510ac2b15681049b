// Facts about this host that decide whether and how rootless containers can run,
// probed once: kernel, subordinate ids, the setuid id-map helpers, the network and
// FUSE helpers with their versions. `rrun info` shows them; `run` will consume them.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { arch, hostname, release, userInfo } from 'node:os';
import { basename, delimiter } from 'node:path';
import { parseSubIds, podmanIdMap, type IdMapEntry } from '../../helpers/subid.js';
import { errnoCode } from '../../oci/errors.js';

export interface BinaryFact {
  path: string | null;
  version: string | null;
}

export interface IdMapHelperFact {
  path: string | null;
  /** setuid root, the way Debian's uidmap package ships it. */
  setuid: boolean;
}

export interface HostFacts {
  arch: string;
  os: string;
  kernel: string;
  hostname: string;
  user: { name: string; uid: number; gid: number };
  /** podman's mapping (container 0 → uid, then all subordinate ranges); empty without ranges. */
  idMappings: { uidmap: PodmanIdMap[]; gidmap: PodmanIdMap[] };
  newuidmap: IdMapHelperFact;
  newgidmap: IdMapHelperFact;
  slirp4netns: BinaryFact;
  pasta: BinaryFact;
  fuseOverlayfs: BinaryFact;
  /** Kernel ≥ 5.13: overlay with `userxattr` works in a user namespace (c/storage's test). */
  kernelRootlessOverlay: boolean;
}

/** podman's spelling of one id-map line. */
export interface PodmanIdMap {
  container_id: number;
  host_id: number;
  size: number;
}

function podmanSpelling(entries: IdMapEntry[]): PodmanIdMap[] {
  return entries.map((e) => ({ container_id: e.inside, host_id: e.outside, size: e.count }));
}

export interface FactsHost {
  env: Readonly<Record<string, string | undefined>>;
  etc: string;
}

export async function which(name: string, env: FactsHost['env']): Promise<string | null> {
  const dirs = (env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin').split(delimiter);
  for (const dir of dirs) {
    try {
      const st = statSync(`${dir}/${name}`); // sync: one thread-pool round trip per PATH entry added up
      if (st.isFile() && (st.mode & 0o111) !== 0) return `${dir}/${name}`;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR' && errnoCode(err) !== 'EACCES') throw err;
    }
  }
  return null;
}

/** First line of `BINARY --version` (bounded by a timeout; null when it fails). */
function versionLine(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 3000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const text = `${stdout}\n${stderr}`.trim();
      if (err !== null && text === '') return resolve(null);
      // fuse-overlayfs prints libfuse's version first; prefer the line naming the tool.
      const lines = text.split('\n');
      resolve(lines.find((l) => l.includes(basename(path))) ?? lines[0] ?? null);
    });
  });
}

async function binary(name: string, env: FactsHost['env']): Promise<BinaryFact> {
  const path = await which(name, env);
  return { path, version: path === null ? null : await versionLine(path) };
}

async function idMapHelper(name: string, env: FactsHost['env']): Promise<IdMapHelperFact> {
  const path = await which(name, env);
  if (path === null) return { path, setuid: false };
  const st = statSync(path);
  return { path, setuid: (st.mode & 0o4000) !== 0 && st.uid === 0 };
}

async function subIdMap(file: string, name: string, id: number): Promise<IdMapEntry[]> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  const ranges = parseSubIds(text, { name, id });
  return ranges.length === 0 ? [] : podmanIdMap(id, ranges);
}

function kernelAtLeast(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (m === null) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}

export async function probeHostFacts(host: FactsHost = { env: process.env, etc: '/etc' }): Promise<HostFacts> {
  const me = userInfo();
  const [uidmap, gidmap, newuidmap, newgidmap, slirp4netns, pasta, fuseOverlayfs] = await Promise.all([
    subIdMap(`${host.etc}/subuid`, me.username, me.uid),
    subIdMap(`${host.etc}/subgid`, me.username, me.gid),
    idMapHelper('newuidmap', host.env),
    idMapHelper('newgidmap', host.env),
    binary('slirp4netns', host.env),
    binary('pasta', host.env),
    binary('fuse-overlayfs', host.env),
  ]);
  const kernel = release();
  return {
    arch: arch() === 'x64' ? 'amd64' : arch(),
    os: 'linux',
    kernel,
    hostname: hostname(),
    user: { name: me.username, uid: me.uid, gid: me.gid },
    idMappings: { uidmap: podmanSpelling(uidmap), gidmap: podmanSpelling(gidmap) },
    newuidmap,
    newgidmap,
    slirp4netns,
    pasta,
    fuseOverlayfs,
    kernelRootlessOverlay: kernelAtLeast(kernel, 5, 13),
  };
}
