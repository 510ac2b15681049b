// Preparing the bed as an ordinary user (a developer's machine): the current user,
// but with an isolated store — its own HOME and XDG directories under a persistent
// cache directory — so the tests never touch the developer's real images.
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestBed } from './bed.js';
import { ensureRuntimeDir, userEnv } from './host-root.js';
import { copyUserRegistryConfig, mkdirOwned, writePodmanConfig } from './podman-config.js';
import { findRange, readSubIds } from './subids.js';

export function isolatedBase(): string {
  const cache = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'rrun-test');
}

/**
 * Not the user's own XDG_RUNTIME_DIR (podman's runroot there belongs to the real
 * store), nor the root-prepared bed's, nor another isolated store's (a different
 * XDG_CACHE_HOME): one runtime dir per store, stable across runs.
 */
function isolatedRuntimeDir(uid: number, base: string): string {
  const tag = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return `/tmp/rrun-ti-${uid}-${tag}`; // short: see MAX_RUNTIME_DIR_LENGTH
}

function subIdsOrFail(user: string, uid: number): Pick<TestBed, 'subuid' | 'subgid'> {
  const subuid = findRange(readSubIds('/etc/subuid'), user, uid);
  const subgid = findRange(readSubIds('/etc/subgid'), user, uid);
  if (subuid === undefined || subgid === undefined) {
    const which = [subuid === undefined ? '/etc/subuid' : '', subgid === undefined ? '/etc/subgid' : '']
      .filter((s) => s !== '')
      .join(' and ');
    throw new Error(
      `${which} give ${user} no range of 65536 ids; rootless podman and rrun need one. As root: ` +
        `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user} (pick a free range), ` +
        `or run the tests as root, which creates a dedicated test user.`,
    );
  }
  return { subuid, subgid };
}

function warnDevices(): void {
  for (const dev of ['/dev/net/tun', '/dev/fuse']) {
    try {
      accessSync(dev, constants.R_OK | constants.W_OK);
    } catch {
      process.stdout.write(`[testbed] WARNING: ${dev} is not read-writable for you: rootless networking/fuse tests will fail\n`);
    }
  }
}

export function prepareAsUser(repo: string, strict: boolean): TestBed {
  const me = userInfo();
  const ids = subIdsOrFail(me.username, me.uid);
  warnDevices();
  const base = isolatedBase();
  const home = mkdirOwned('/', join(base, 'home'), undefined);
  const env = userEnv(me.username, home, isolatedRuntimeDir(me.uid, base));
  const configHome = env['XDG_CONFIG_HOME'] ?? join(home, '.config');
  writePodmanConfig(configHome, undefined);
  copyUserRegistryConfig(process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), configHome);
  mkdirOwned('/', env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), undefined);
  ensureRuntimeDir(env['XDG_RUNTIME_DIR'] ?? isolatedRuntimeDir(me.uid, base), me.uid, me.gid);
  return {
    user: me.username,
    uid: me.uid,
    gid: me.gid,
    home,
    env,
    repo,
    strict,
    asRoot: false,
    ...ids,
    missing: {},
  };
}
