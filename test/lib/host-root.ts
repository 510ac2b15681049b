// Preparing the machine as root (CI): a dedicated unprivileged user with sub-ids,
// device modes rootless networking and fuse need, the user's podman configuration
// and a runtime directory (there is no systemd login session to provide one).
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestBed } from './bed.js';
import { runInBedChecked } from './bed.js';
import { runChecked, spawnCollect } from './proc.js';
import { writePodmanConfig } from './podman-config.js';
import { ensureSubIds } from './subids.js';

/**
 * The unprivileged user the bed creates and uses. RRUN_TEST_USER gives a run its own
 * user (and so its own store, runtime dir and pause process), e.g. for two
 * engineers testing different checkouts on one machine at the same time.
 */
export const TEST_USER = process.env['RRUN_TEST_USER'] || 'rrun-test';
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const ROOT_ENV = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

interface Passwd {
  uid: number;
  gid: number;
  home: string;
}

async function lookupUser(user: string): Promise<Passwd | undefined> {
  const r = await spawnCollect(['getent', 'passwd', user], { env: ROOT_ENV });
  if (r.code !== 0) return undefined;
  const f = r.stdout.trim().split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? `/home/${user}` };
}

async function ensureUser(user: string): Promise<Passwd> {
  const found = await lookupUser(user);
  if (found !== undefined) return found;
  await runChecked(`creating the test user ${user}`, ['useradd', '-m', '-s', '/bin/bash', user], { env: ROOT_ENV });
  const made = await lookupUser(user);
  if (made === undefined) throw new Error(`useradd ${user} succeeded but getent passwd ${user} finds nothing`);
  return made;
}

/** slirp4netns opens /dev/net/tun and fuse-overlayfs /dev/fuse as the user; fresh machines ship them 0600. */
export function openDevices(): string[] {
  const missing: string[] = [];
  for (const dev of ['/dev/net/tun', '/dev/fuse']) {
    if (!existsSync(dev)) {
      missing.push(dev);
      continue;
    }
    if ((statSync(dev).mode & 0o777) !== 0o666) chmodSync(dev, 0o666);
  }
  return missing;
}

/**
 * Measured with podman 4.3.1 + conmon 2.1.6 + runc 1.1.5: when XDG_RUNTIME_DIR is
 * 40 characters or longer, every `podman run` returns only after conmon's 20 s
 * timeout ("Exceeded conmon timeout waiting for container … to exit"); 39 is fine.
 */
export const MAX_RUNTIME_DIR_LENGTH = 39;

/**
 * A runtime directory that stays the same across runs: each distinct
 * XDG_RUNTIME_DIR gets its own podman pause process, and a new one per run would
 * leave them piling up.
 */
export function ensureRuntimeDir(path: string, uid: number, gid: number): void {
  if (path.length > MAX_RUNTIME_DIR_LENGTH) {
    throw new Error(`runtime directory ${path} is longer than ${MAX_RUNTIME_DIR_LENGTH} characters: podman run would stall 20 s each time`);
  }
  if (!existsSync(path)) mkdirSync(path, { mode: 0o700 });
  const st = lstatSync(path);
  if (!st.isDirectory()) throw new Error(`runtime directory ${path} exists and is not a directory`);
  if (st.uid !== uid || st.gid !== gid) chownSync(path, uid, gid);
  if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
}

export function runtimeDirFor(uid: number): string {
  return `/tmp/rrun-test-run-${uid}`;
}

/** PATH for the user: the system directories, plus wherever this node lives (bin/rrun runs `env node`). */
export function userPath(): string {
  const nodeDir = dirname(process.execPath);
  return SYSTEM_PATH.split(':').includes(nodeDir) ? SYSTEM_PATH : `${nodeDir}:${SYSTEM_PATH}`;
}

export function userEnv(user: string, home: string, runtimeDir: string): Record<string, string> {
  return {
    HOME: home,
    USER: user,
    LOGNAME: user,
    PATH: userPath(),
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    LANG: 'C.UTF-8',
  };
}

/** Fails with the first directory on the way to the repo that the user cannot enter. */
async function checkRepoAccess(bed: TestBed): Promise<void> {
  const probe = ['test', '-r', join(bed.repo, 'bin', 'rrun'), '-a', '-x', join(bed.repo, 'bin')];
  const r = await spawnCollect(['runuser', '-u', bed.user, '--', ...probe], { env: ROOT_ENV });
  if (r.code === 0) return;
  const chain: string[] = [];
  for (let d = bed.repo; ; d = dirname(d)) {
    chain.unshift(d);
    if (d === dirname(d)) break;
  }
  for (const dir of chain) {
    const t = await spawnCollect(['runuser', '-u', bed.user, '--', 'test', '-x', dir], { env: ROOT_ENV });
    if (t.code !== 0) {
      throw new Error(
        `the test user ${bed.user} cannot enter ${dir} (mode ${(statSync(dir).mode & 0o777).toString(8)}), ` +
          `so it cannot run ${bed.repo}/bin/rrun; clone the repo somewhere world-readable (e.g. /tmp or /srv) or chmod o+rx ${dir}`,
      );
    }
  }
  throw new Error(`the test user ${bed.user} cannot read ${bed.repo}/bin/rrun: ${r.stderr.trim() || 'permission denied'}`);
}

export async function prepareAsRoot(repo: string, strict: boolean): Promise<TestBed> {
  const pw = await ensureUser(TEST_USER);
  const ids = ensureSubIds(TEST_USER, pw.uid);
  const missingDevices = openDevices();
  if (missingDevices.length > 0) {
    process.stdout.write(`[testbed] WARNING: ${missingDevices.join(', ')} missing: rootless networking/fuse tests will fail\n`);
  }
  const owner = { uid: pw.uid, gid: pw.gid };
  writePodmanConfig(join(pw.home, '.config'), owner);
  const runtimeDir = runtimeDirFor(pw.uid);
  ensureRuntimeDir(runtimeDir, pw.uid, pw.gid);
  const bed: TestBed = {
    user: TEST_USER,
    uid: pw.uid,
    gid: pw.gid,
    home: pw.home,
    env: userEnv(TEST_USER, pw.home, runtimeDir),
    repo,
    strict,
    asRoot: true,
    subuid: { start: ids.subuid.start, count: ids.subuid.count },
    subgid: { start: ids.subgid.start, count: ids.subgid.count },
    missing: {},
  };
  await checkRepoAccess(bed);
  if (ids.changed) {
    // A pause process started under the old map would keep it; make podman re-read.
    await runInBedChecked(bed, 'podman system migrate', ['podman', 'system', 'migrate']);
  }
  return bed;
}
