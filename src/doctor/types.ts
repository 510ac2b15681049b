// The shape of `rrun doctor`: each check says ok / fail / warn, why, and the exact fix.
// Checks read the host through DoctorHost so tests can describe a broken machine.

export type CheckStatus = 'ok' | 'fail' | 'warn';

export interface CheckResult {
  /** Stable id, e.g. `subuid`, `newuidmap`, `overlay`. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** The command or change that fixes it, for this machine. */
  fix?: string;
}

export interface StatLike {
  uid: number;
  mode: number;
  isFile: boolean;
  isDirectory: boolean;
}

export interface DoctorHost {
  env: Readonly<Record<string, string | undefined>>;
  user: { name: string; uid: number; gid: number };
  /** File text, or undefined when absent/unreadable. */
  readFile(path: string): string | undefined;
  stat(path: string): StatLike | undefined;
  /** statfs f_type, or undefined when the path does not exist. */
  fsType(path: string): number | undefined;
  /** access(2) with R_OK|W_OK. */
  canReadWrite(path: string): boolean;
  /** The security.capability xattr is present (file capabilities). */
  hasFileCaps(path: string): boolean;
  which(name: string): string | undefined;
}

export const FsMagic = {
  NFS: 0x6969,
  TMPFS: 0x01021994,
  CGROUP2: 0x63677270,
  OVERLAY: 0x794c7630,
  BTRFS: 0x9123683e,
  EXT4: 0xef53,
  XFS: 0x58465342,
} as const;

/** "Debian/Ubuntu" or "Fedora/RHEL"-style family from /etc/os-release, for package names. */
export type DistroFamily = 'debian' | 'fedora' | 'arch' | 'suse' | 'other';

export function distroFamily(osRelease: string | undefined): DistroFamily {
  const ids = /^(?:ID|ID_LIKE)=(.*)$/gm;
  const words = [...(osRelease ?? '').matchAll(ids)].flatMap((m) => (m[1] ?? '').replace(/"/g, '').split(/\s+/));
  const table: [DistroFamily, string[]][] = [
    ['debian', ['debian', 'ubuntu']],
    ['fedora', ['fedora', 'rhel', 'centos']],
    ['arch', ['arch']],
    ['suse', ['suse', 'opensuse']],
  ];
  return table.find(([, names]) => names.some((n) => words.includes(n)))?.[0] ?? 'other';
}

const uidmapPackage: Record<DistroFamily, string> = {
  debian: 'sudo apt-get install --reinstall uidmap',
  fedora: 'sudo dnf reinstall shadow-utils',
  arch: 'sudo pacman -S shadow',
  suse: 'sudo zypper install -f shadow',
  other: 'reinstall the package that ships newuidmap/newgidmap (shadow)',
};

export function reinstallUidmap(family: DistroFamily): string {
  return uidmapPackage[family];
}
