// The plan for `rrun exec`: no setup ops, no clone — the helper setns()es into the
// running container's init (stage0.join) and starts the process there, with the
// container's own process settings unless the caller overrides them (podman's rules).
import type { RuntimeSpec } from '../../oci/runtime.js';
import { CLONE, type LaunchPlan } from '../../helpers/protocol.js';
import { capMask } from './plan.js';
import { mergeEnv } from './spec.js';
import type { ResolvedUser } from './passwd.js';

export interface ExecInput {
  /** Host pid of the container's init. */
  pid: number;
  spec: RuntimeSpec;
  command: string[];
  /** `-e` values in order (later win), merged over the container's environment. */
  env: string[];
  /** `-u`, already resolved against the container's /etc/passwd. */
  user?: ResolvedUser;
  workdir?: string;
  tty: boolean;
  interactive: boolean;
  privateNetwork: boolean;
  setgroupsAllowed: boolean;
  /** The container's seccomp filter (from its spec), applied to the new process too, as podman does. */
  seccomp?: Uint8Array;
}

export function buildExecPlan(x: ExecInput): LaunchPlan {
  const p = x.spec.process;
  const user = x.user ?? { uid: p.user.uid, gid: p.user.gid, additionalGids: p.user.additionalGids ?? [] };
  const caps = p.capabilities;
  let namespaces = CLONE.NEWUSER | CLONE.NEWNS | CLONE.NEWPID | CLONE.NEWIPC | CLONE.NEWUTS;
  if (x.privateNetwork) namespaces |= CLONE.NEWNET;
  return {
    namespaces,
    ops: [],
    process: {
      argv: x.command,
      env: mergeEnv(p.env, x.tty ? ['TERM=xterm'] : [], x.env),
      cwd: x.workdir ?? p.cwd,
      uid: user.uid,
      gid: user.gid,
      additionalGids: x.setgroupsAllowed ? user.additionalGids : [],
      setgroups: x.setgroupsAllowed,
      caps: {
        bounding: capMask(caps.bounding), effective: capMask(caps.effective), permitted: capMask(caps.permitted),
        inheritable: capMask(caps.inheritable), ambient: capMask(caps.ambient),
      },
      // The container's own setting: rrun sets no_new_privs by default, also for exec
      // (podman 4.3 sets it for neither unless asked).
      noNewPrivs: p.noNewPrivileges,
      ...(x.seccomp !== undefined ? { seccomp: x.seccomp } : {}),
    },
    stage0: { join: x.pid, ...(x.tty ? { terminal: { forwardStdin: x.interactive } } : {}) },
  };
}
