// `rrun exec`: run a process in a running container (see src/runtime/exec.ts).
import { readFileSync } from 'node:fs';
import { RrunError } from '../../oci/errors.js';
import { mappingFacts } from '../../helpers/idmap.js';
import { createContext, type Context } from '../context.js';
import { buildExecPlan } from '../runtime/exec.js';
import { seccompProgram } from '../security/container-security.js';
import { launch, type LaunchResult } from '../runtime/launch.js';
import { resolveUser } from '../runtime/passwd.js';
import { findContainer } from './container-store.js';
import { idMapping } from './run.js';

export interface ExecOptions {
  interactive?: boolean;
  tty?: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
}

/** A file of the running container, through its init's root (same owner: allowed). */
function containerFile(pid: number, path: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/root${path}`, 'utf8');
  } catch {
    return undefined;
  }
}

export async function exec(nameOrId: string, command: string[], opts: ExecOptions = {}, ctx?: Context): Promise<LaunchResult> {
  const context = ctx ?? (await createContext());
  const c = await findContainer(context, nameOrId);
  if (c.state.status !== 'running' || c.state.pid === undefined || c.config === undefined) {
    throw new RrunError({
      code: 'ERR_CONTAINER_STATE',
      message: 'can only create exec sessions on running containers: container state improper',
      subject: c.id,
      hint: `start it first: \`rrun start ${c.name}\``,
      exitCode: 255,
    });
  }
  if (command.length === 0) throw new RrunError({ code: 'ERR_USAGE', message: 'exec requires at least one command argument' });
  const pid = c.state.pid;
  const user = opts.user !== undefined ? resolveUser(opts.user, containerFile(pid, '/etc/passwd'), containerFile(pid, '/etc/group')) : undefined;
  const idmap = idMapping(c.config.request);
  const plan = buildExecPlan({
    pid, spec: c.config.spec, command, env: opts.env ?? [], ...(user ? { user } : {}),
    ...(opts.workdir !== undefined ? { workdir: opts.workdir } : {}),
    tty: opts.tty ?? false, interactive: opts.interactive ?? false,
    privateNetwork: c.config.privateNetwork, setgroupsAllowed: mappingFacts(idmap).setgroupsAllowed,
    ...(c.config.spec.linux.seccomp !== undefined ? { seccomp: seccompProgram(c.config.spec.linux.seccomp) } : {}),
  });
  return launch(plan, { idmap, stdio: [opts.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
}
