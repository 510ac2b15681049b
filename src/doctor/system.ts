// Checks of the machine around the container: the store's filesystem, FUSE, the network
// helpers and their device, cgroups, and the runtime directory.
import type { CheckResult, DoctorHost } from './types.js';
import { FsMagic } from './types.js';

const fsNames: Record<number, string> = {
  [FsMagic.NFS]: 'nfs', [FsMagic.TMPFS]: 'tmpfs', [FsMagic.OVERLAY]: 'overlay', [FsMagic.BTRFS]: 'btrfs',
  [FsMagic.EXT4]: 'ext4', [FsMagic.XFS]: 'xfs',
};

export function fsName(type: number | undefined): string {
  return type === undefined ? 'missing' : (fsNames[type] ?? `0x${type.toString(16)}`);
}

/** What the store sits on, before the real mount probe says whether overlay works there. */
export function storeFsCheck(host: DoctorHost, graphRoot: string): CheckResult {
  let dir = graphRoot;
  while (host.fsType(dir) === undefined && dir.includes('/') && dir !== '/') dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
  const type = host.fsType(dir);
  const name = fsName(type);
  const title = `store filesystem (${graphRoot})`;
  if (type === FsMagic.NFS) {
    return { id: 'store-fs', title, status: 'fail', detail: 'the store is on NFS: no user xattrs and server-side ownership checks break layer extraction and overlay', fix: `put the store on a local disk: add [storage] graphroot = "/var/tmp/$USER/containers/storage" to ~/.config/containers/storage.conf` };
  }
  if (type === FsMagic.OVERLAY) {
    return { id: 'store-fs', title, status: 'warn', detail: 'the store is itself on overlayfs (a container?): native overlay cannot stack on it; fuse-overlayfs will be used' };
  }
  return { id: 'store-fs', title, status: 'ok', detail: name };
}

function deviceCheck(host: DoctorHost, id: string, title: string, device: string, needed: boolean): CheckResult {
  if (host.canReadWrite(device)) return { id, title, status: 'ok', detail: `${device} is usable` };
  return {
    id,
    title,
    status: needed ? 'fail' : 'warn',
    detail: host.stat(device) === undefined ? `${device} does not exist` : `${device} is not readable and writable for ${host.user.name}`,
    fix: `sudo chmod 0666 ${device}   # as distributions ship it`,
  };
}

export function fuseChecks(host: DoctorHost, nativeOverlayWorks: boolean): CheckResult[] {
  const bin = host.which('fuse-overlayfs');
  const needed = !nativeOverlayWorks;
  const title = 'fuse-overlayfs (fallback when native overlay is unusable)';
  const binary: CheckResult = bin
    ? { id: 'fuse-overlayfs', title, status: 'ok', detail: bin }
    : { id: 'fuse-overlayfs', title, status: needed ? 'fail' : 'warn', detail: 'fuse-overlayfs is not installed', fix: 'sudo apt-get install fuse-overlayfs   # or: dnf install fuse-overlayfs' };
  return [binary, deviceCheck(host, 'dev-fuse', '/dev/fuse for fuse-overlayfs', '/dev/fuse', needed && bin !== undefined)];
}

export function networkChecks(host: DoctorHost): CheckResult[] {
  const slirp = host.which('slirp4netns');
  const pasta = host.which('pasta');
  const title = 'network helpers (slirp4netns, pasta)';
  const found = [slirp && `slirp4netns (${slirp})`, pasta && `pasta (${pasta})`].filter(Boolean).join(', ');
  const helpers: CheckResult =
    slirp === undefined && pasta === undefined
      ? { id: 'net-helpers', title, status: 'fail', detail: 'neither slirp4netns nor pasta is installed: only --network none and host work', fix: 'sudo apt-get install slirp4netns passt' }
      : slirp === undefined || pasta === undefined
        ? { id: 'net-helpers', title, status: 'warn', detail: `only ${found}`, fix: `sudo apt-get install ${slirp === undefined ? 'slirp4netns' : 'passt'}` }
        : { id: 'net-helpers', title, status: 'ok', detail: found };
  return [helpers, deviceCheck(host, 'dev-net-tun', '/dev/net/tun for the network helpers', '/dev/net/tun', slirp !== undefined || pasta !== undefined)];
}

/** cgroup v2 with a delegated user slice is needed for --memory/--cpus/--pids-limit. */
export function cgroupCheck(host: DoctorHost): CheckResult {
  const title = 'cgroups (resource limits)';
  const root = host.fsType('/sys/fs/cgroup');
  if (root !== FsMagic.CGROUP2) {
    const hybrid = host.fsType('/sys/fs/cgroup/unified') === FsMagic.CGROUP2;
    return { id: 'cgroups', title, status: 'warn', detail: `cgroup ${hybrid ? 'v1/v2 hybrid' : 'v1'}: v1 cannot be delegated to unprivileged users, so --memory, --cpus and --pids-limit are refused`, fix: 'boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2) and a systemd user session' };
  }
  const uid = host.user.uid;
  const slice = `/sys/fs/cgroup/user.slice/user-${uid}.slice/user@${uid}.service`;
  const controllers = host.readFile(`${slice}/cgroup.controllers`)?.trim();
  if (controllers === undefined || !host.canReadWrite(`${slice}/cgroup.subtree_control`)) {
    return { id: 'cgroups', title, status: 'warn', detail: 'cgroup v2 without a delegated user slice: resource limits are refused', fix: `sudo loginctl enable-linger ${host.user.name}   # then log in again` };
  }
  return { id: 'cgroups', title, status: 'ok', detail: `cgroup v2, delegated controllers: ${controllers || 'none'}` };
}

export function runtimeDirCheck(host: DoctorHost): CheckResult {
  const dir = host.env['XDG_RUNTIME_DIR'];
  const title = 'XDG_RUNTIME_DIR';
  const fallback = `/tmp/rrun-${host.user.uid}`;
  if (dir === undefined || dir === '') {
    return { id: 'runtime-dir', title, status: 'warn', detail: `not set (su, cron, ssh without a session): rrun keeps its state in ${fallback}`, fix: `export XDG_RUNTIME_DIR=/run/user/${host.user.uid}   # or log in through a systemd session` };
  }
  const st = host.stat(dir);
  if (st === undefined || !st.isDirectory) return { id: 'runtime-dir', title, status: 'fail', detail: `${dir} does not exist`, fix: `mkdir -m 0700 ${dir}   # or unset XDG_RUNTIME_DIR` };
  if (st.uid !== host.user.uid || (st.mode & 0o077) !== 0) {
    return { id: 'runtime-dir', title, status: 'fail', detail: `${dir} must be owned by ${host.user.name} with mode 0700 (is uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)})`, fix: `chmod 0700 ${dir}` };
  }
  if (!host.canReadWrite(dir)) return { id: 'runtime-dir', title, status: 'fail', detail: `${dir} is not writable`, fix: `chmod u+rwx ${dir}` };
  return { id: 'runtime-dir', title, status: 'ok', detail: dir };
}
