// Checks that need to act, not just look: read podman's store under its locks, mount a
// native overlay in a user namespace on the store's filesystem, and compare the id map
// podman's running pause process uses with the one rrun computes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { LaunchPlan } from '../../helpers/protocol.js';
import { subidMapping, type IdMapping } from '../../helpers/idmap.js';
import { formatIdMap } from '../../helpers/subid.js';
import { isRrunError } from '../../oci/errors.js';
import type { StorageOptions } from '../../storage/options.js';
import { readSnapshot } from '../../storage/store.js';
import { mkdirp } from '../../storage/mkdirp.js';
import { launch } from '../runtime/launch.js';
import { usernsTaskPlan } from '../runtime/userns-task.js';
import type { CheckResult } from './types.js';

export async function storeReadCheck(storage: StorageOptions): Promise<CheckResult> {
  const title = `podman's store readable under its locks (${storage.graphRoot})`;
  try {
    const snap = await readSnapshot(storage, { containers: true });
    return { id: 'store', title, status: 'ok', detail: `${snap.images.length} images, ${snap.layers.size} layers, ${snap.containers.length} containers; driver ${storage.driver}` };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { id: 'store', title, status: 'fail', detail: message, ...(isRrunError(err) && err.hint ? { fix: err.hint } : {}) };
  }
}

function probePlan(dir: string): LaunchPlan {
  // Two lower layers and userxattr, as c/storage's own feature test mounts.
  const data = `lowerdir=${dir}/l1:${dir}/l2,upperdir=${dir}/u,workdir=${dir}/w,userxattr`;
  return usernsTaskPlan(['true'], [{ op: 'mount', source: 'overlay', target: `${dir}/m`, fstype: 'overlay', flags: 0, data }]);
}

/** Mount a kernel overlay with userxattr in a user namespace, in the store's tmp dir. */
export async function overlayProbe(storage: StorageOptions, idmap: IdMapping): Promise<CheckResult> {
  const title = 'native overlay (userxattr) in a user namespace on the store';
  const base = `${storage.graphRoot}/tmp`;
  let dir: string | undefined;
  try {
    mkdirp(base);
    dir = mkdtempSync(`${base}/rrun-overlay-probe-`);
    for (const d of ['l1', 'l2', 'u', 'w', 'm']) mkdirSync(`${dir}/${d}`);
    const r = await launch(probePlan(dir), { idmap, stdio: ['ignore', 'ignore', 'ignore'], forwardSignals: false });
    if (r.exitCode !== 0) throw new Error(`probe exited ${r.exitCode}`);
    return { id: 'overlay', title, status: 'ok', detail: 'kernel overlay mounts; containers use it' };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { id: 'overlay', title, status: 'warn', detail: `not usable here (${why}); rrun falls back to fuse-overlayfs, which is slower`, fix: 'keep the store on a local ext4/xfs/btrfs filesystem with a kernel ≥ 5.13' };
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function pausePid(env: Readonly<Record<string, string | undefined>>, uid: number): number | undefined {
  const dirs = [env['XDG_RUNTIME_DIR'] && `${env['XDG_RUNTIME_DIR']}/libpod/tmp`, `/tmp/podman-run-${uid}/libpod/tmp`];
  for (const d of dirs) {
    if (!d) continue;
    try {
      const pid = Number(readFileSync(`${d}/pause.pid`, 'utf8').trim());
      if (pid > 0) return pid;
    } catch {
      // no pause process recorded there
    }
  }
  return undefined;
}

const normalize = (text: string): string => text.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' ')).join('\n');

/** rrun's mapping equals the one podman's pause process uses (when podman is running). */
export function mappingCheck(env: Readonly<Record<string, string | undefined>>): CheckResult {
  const me = userInfo();
  const title = "id mapping equals podman's";
  let mapping: IdMapping;
  try {
    mapping = subidMapping({ name: me.username, uid: me.uid, gid: me.gid });
  } catch (err) {
    return { id: 'mapping', title, status: 'fail', detail: err instanceof Error ? err.message : String(err) };
  }
  if (mapping.kind !== 'subid') return { id: 'mapping', title, status: 'fail', detail: 'no subordinate ids' };
  const ours = normalize(formatIdMap(mapping.uid));
  const pid = pausePid(env, me.uid);
  let theirs: string | undefined;
  try {
    theirs = pid === undefined ? undefined : normalize(readFileSync(`/proc/${pid}/uid_map`, 'utf8'));
  } catch {
    theirs = undefined;
  }
  if (theirs === undefined) {
    return { id: 'mapping', title, status: 'ok', detail: `podman is not running; rrun uses podman's rule: ${ours.replace(/\n/g, '; ')}` };
  }
  if (theirs === ours) return { id: 'mapping', title, status: 'ok', detail: ours.replace(/\n/g, '; ') };
  return {
    id: 'mapping',
    title,
    status: 'fail',
    detail: `podman's pause process (pid ${pid}) maps "${theirs.replace(/\n/g, '; ')}" but /etc/subuid now gives "${ours.replace(/\n/g, '; ')}": files in the store would get the wrong owners`,
    fix: 'podman system migrate   # restarts podman\'s user namespace with the current /etc/subuid',
  };
}
