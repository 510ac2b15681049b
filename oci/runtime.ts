// The subset of the OCI runtime-spec (config.json) that rrun fills in, hand-written
// from the specification. `rrun run --dry-run` prints one of these.

export interface RuntimeSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; inheritable: string[]; permitted: string[]; ambient: string[] };
    noNewPrivileges: boolean;
    rlimits?: { type: string; hard: number; soft: number }[];
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: RuntimeMount[];
  annotations?: Record<string, string>;
  linux: {
    uidMappings: { containerID: number; hostID: number; size: number }[];
    gidMappings: { containerID: number; hostID: number; size: number }[];
    namespaces: { type: 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'user' | 'cgroup'; path?: string }[];
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp?: LinuxSeccomp;
  };
}

/** `linux.seccomp`: the profile already resolved for this container (no includes/excludes). */
export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: LinuxSyscall[];
}

export interface LinuxSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

export interface LinuxSeccompArg {
  /** Argument number, 0…5. */
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface RuntimeMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export const OCI_RUNTIME_VERSION = '1.0.2-dev';
