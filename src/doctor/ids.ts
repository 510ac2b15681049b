// Checks of the user's subordinate ids and of the setuid tools that map them.
import type { CheckResult, DistroFamily, DoctorHost } from './types.js';
import { reinstallUidmap } from './types.js';

interface Range {
  owner: string;
  start: number;
  count: number;
}

/** Every valid `owner:start:count` line of a subid file. */
export function parseAllRanges(text: string | undefined): Range[] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.trim().split(':'))
    .filter((f) => f.length === 3 && f[0] !== '' && /^\d+$/.test(f[1] ?? '') && /^\d+$/.test(f[2] ?? ''))
    .map((f) => ({ owner: f[0] as string, start: Number(f[1]), count: Number(f[2]) }));
}

const overlaps = (a: Range, start: number, count: number): boolean => a.start < start + count && start < a.start + a.count;

/** The first 65536-id block from 100000 on that no line of either file touches. */
export function freeRange(all: readonly Range[]): { start: number; end: number } {
  let start = 100000;
  while (all.some((r) => overlaps(r, start, 65536))) start += 65536;
  return { start, end: start + 65535 };
}

function addFix(user: string, all: readonly Range[]): string {
  const { start, end } = freeRange(all);
  return `sudo usermod --add-subuids ${start}-${end} --add-subgids ${start}-${end} ${user}`;
}

/** One subid file: present, large enough, not containing the user's own id, not shared. */
export function subidCheck(host: DoctorHost, kind: 'uid' | 'gid'): CheckResult {
  const file = `/etc/sub${kind}`;
  const { name, uid, gid } = host.user;
  const own = kind === 'uid' ? uid : gid;
  const all = [...parseAllRanges(host.readFile('/etc/subuid')), ...parseAllRanges(host.readFile('/etc/subgid'))];
  const ranges = parseAllRanges(host.readFile(file));
  const mine = ranges.filter((r) => r.owner === name || r.owner === String(uid));
  const title = `${file} range for ${name}`;
  if (mine.length === 0) {
    return { id: `sub${kind}`, title, status: 'fail', detail: `no line for ${name} in ${file}`, fix: addFix(name, all) };
  }
  const total = mine.reduce((n, r) => n + r.count, 0);
  const shown = mine.map((r) => `${r.start}:${r.count}`).join(', ');
  const selfInside = mine.find((r) => own >= r.start && own < r.start + r.count);
  if (selfInside !== undefined) {
    return { id: `sub${kind}`, title, status: 'fail', detail: `range ${shown} contains ${name}'s own ${kind} ${own}; podman refuses that`, fix: `remove that range from ${file}, then: ${addFix(name, all)}` };
  }
  const others = ranges.filter((r) => r.owner !== name && r.owner !== String(uid) && mine.some((m) => overlaps(r, m.start, m.count)));
  if (others.length > 0) {
    return { id: `sub${kind}`, title, status: 'fail', detail: `range ${shown} overlaps ${others.map((o) => `${o.owner}'s ${o.start}:${o.count}`).join(', ')}: both users' containers share host ids`, fix: `give ${name} its own range: ${addFix(name, all)} (and remove the overlapping line)` };
  }
  if (total < 65536) {
    return { id: `sub${kind}`, title, status: 'fail', detail: `only ${total} ids (${shown}); images use ids up to 65534 (nobody), which then cannot be mapped`, fix: addFix(name, all) };
  }
  return { id: `sub${kind}`, title, status: 'ok', detail: `${shown} (${total} ids: images may use ids up to ${total})` };
}

/** newuidmap/newgidmap exist and are setuid root or carry file capabilities. */
export function mapToolCheck(host: DoctorHost, tool: 'newuidmap' | 'newgidmap', family: DistroFamily): CheckResult {
  const path = host.which(tool);
  const title = `${tool} present and privileged`;
  if (path === undefined) {
    return { id: tool, title, status: 'fail', detail: `${tool} is not on PATH`, fix: reinstallUidmap(family).replace('--reinstall ', '') };
  }
  const st = host.stat(path);
  const setuid = st !== undefined && st.uid === 0 && (st.mode & 0o4000) !== 0;
  if (setuid) return { id: tool, title, status: 'ok', detail: `${path} is setuid root` };
  if (host.hasFileCaps(path)) return { id: tool, title, status: 'ok', detail: `${path} has file capabilities` };
  return {
    id: tool,
    title,
    status: 'fail',
    detail: `${path} is neither setuid root nor has cap_set${tool === 'newuidmap' ? 'uid' : 'gid'}: the kernel refuses its writes to ${tool === 'newuidmap' ? 'uid_map' : 'gid_map'} (EPERM)`,
    fix: reinstallUidmap(family),
  };
}

/** The kernel lets this user create user namespaces. */
export function usernsCheck(host: DoctorHost, helperPath: string): CheckResult[] {
  const out: CheckResult[] = [];
  const max = Number(host.readFile('/proc/sys/user/max_user_namespaces')?.trim() ?? 'NaN');
  out.push(
    max > 0 || Number.isNaN(max)
      ? { id: 'userns', title: 'user namespaces allowed', status: 'ok', detail: Number.isNaN(max) ? 'no limit file' : `user.max_user_namespaces = ${max}` }
      : { id: 'userns', title: 'user namespaces allowed', status: 'fail', detail: 'user.max_user_namespaces = 0', fix: "echo 'user.max_user_namespaces=28633' | sudo tee /etc/sysctl.d/99-rrun-userns.conf && sudo sysctl --system" },
  );
  const debian = host.readFile('/proc/sys/kernel/unprivileged_userns_clone')?.trim();
  if (debian === '0') {
    out.push({ id: 'userns-debian', title: 'unprivileged user namespaces (Debian switch)', status: 'fail', detail: 'kernel.unprivileged_userns_clone = 0', fix: "echo 'kernel.unprivileged_userns_clone=1' | sudo tee /etc/sysctl.d/99-rrun-userns.conf && sudo sysctl --system" });
  }
  const apparmor = host.readFile('/proc/sys/kernel/apparmor_restrict_unprivileged_userns')?.trim();
  if (apparmor === '1') {
    const profile = `abi <abi/4.0>,\\ninclude <tunables/global>\\n${helperPath} flags=(unconfined) {\\n  userns,\\n}`;
    const hasProfile = (host.readFile('/etc/apparmor.d/rrun-helper') ?? '').includes(helperPath);
    out.push(
      hasProfile
        ? { id: 'userns-apparmor', title: 'AppArmor allows rrun-helper to create user namespaces', status: 'ok', detail: '/etc/apparmor.d/rrun-helper names the helper' }
        : { id: 'userns-apparmor', title: 'AppArmor allows rrun-helper to create user namespaces', status: 'fail', detail: 'kernel.apparmor_restrict_unprivileged_userns = 1 and no profile for rrun-helper: its namespaces get no capabilities (uid_map writes fail with EPERM)', fix: `printf '${profile}\\n' | sudo tee /etc/apparmor.d/rrun-helper && sudo systemctl reload apparmor` },
    );
  }
  return out;
}
