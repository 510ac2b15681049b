// Runs a LaunchPlan to completion: helper, id maps, the two round trips, the exit status.
// The only place that turns helper replies into user-facing errors and exit codes.
import { constants as osConstants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { ExitCode, RrunError } from '../../oci/errors.js';
import { trace } from '../trace.js';
import { idmapTools, mapToolError, newgidmapArgv, newuidmapArgv, writeSingleIdMap, type IdMapping } from '../../helpers/idmap.js';
import { HelperOpError, spawnHelper, type HelperOptions, type HelperProcess } from '../../helpers/nsexec.js';
import { describeOp, opIndexToSetupIndex, type EarlyPlan, type ExecStepName, type LaunchPlan, type Stage0Plan } from '../../helpers/protocol.js';

export interface LaunchOptions {
  idmap: IdMapping;
  stdio?: HelperOptions['stdio'];
  /** Aborting stops the container: SIGTERM, SIGKILL after `graceMs`. */
  signal?: AbortSignal;
  graceMs?: number;
  helperPath?: string;
  forwardSignals?: boolean;
  /**
   * Called with the container's host pid once the maps are written (network helpers attach
   * here), while the container's setup runs; the workload starts when both are done.
   */
  onNamespaces?: (pid: number) => Promise<void> | void;
  /** Called once the workload was started; gives access to piped stdio. */
  onStart?: (helper: HelperProcess) => void;
  /** A helper started early (startEarly) with this plan's namespaces and stage 0. */
  helper?: HelperProcess;
}

export interface LaunchResult {
  exitCode: number;
  /** Set when the workload was killed by a signal (exitCode is then 128 + n). */
  signal?: string;
}

const errnoNames = getSystemErrorMap();

/** `EACCES (permission denied)` for an errno number. */
export function errnoText(errno: number): string {
  const e = errnoNames.get(-errno);
  return e ? `${e[0]} (${e[1]})` : `errno ${errno}`;
}

function signalName(n: number): string {
  const entry = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return entry ? entry[0] : `signal ${n}`;
}

function opError(plan: LaunchPlan, e: HelperOpError): RrunError {
  const op = plan.ops[opIndexToSetupIndex(e.opIndex)];
  const where = op ? `op ${opIndexToSetupIndex(e.opIndex)} (${describeOp(op)})` : 'setup';
  const why = e.errno === 0 ? e.what : `${e.what}: ${errnoText(e.errno)}`;
  const userns = e.what === 'clone' && [osConstants.errno.EPERM, osConstants.errno.ENOSPC, osConstants.errno.EINVAL].includes(e.errno);
  return new RrunError({
    code: userns ? 'ERR_USERNS' : 'ERR_CONTAINER_SETUP',
    message: userns ? `cannot create a user namespace: ${errnoText(e.errno)}` : `container setup failed at ${where}: ${why}`,
    hint: userns
      ? 'check sysctl user.max_user_namespaces (> 0), kernel.unprivileged_userns_clone (= 1 where it exists) and AppArmor\'s kernel.apparmor_restrict_unprivileged_userns'
      : undefined,
    subject: op && 'target' in op ? op.target : undefined,
    cause: e,
  });
}

/** podman's rule: "not found" → 127, every other failure to run the command → 126. */
function execError(plan: LaunchPlan, step: ExecStepName, errno: number): RrunError {
  const argv0 = plan.process.argv[0] ?? '';
  if (step === 'exec' || step === 'chdir') {
    const notFound = errno === osConstants.errno.ENOENT;
    const what = step === 'exec' ? `executable file \`${argv0}\`` : `working directory \`${plan.process.cwd}\``;
    const why = notFound && step === 'exec' ? 'not found in $PATH or no such file' : errnoText(errno);
    return new RrunError({
      code: notFound ? 'ERR_EXEC_NOT_FOUND' : 'ERR_EXEC_CANNOT_INVOKE',
      message: `${what}: ${why}`,
      subject: step === 'exec' ? argv0 : plan.process.cwd,
      exitCode: notFound ? ExitCode.NotFound : ExitCode.NotExecutable,
    });
  }
  return new RrunError({
    code: 'ERR_CONTAINER_PROCESS',
    message: `setting ${step} of the container process failed: ${errnoText(errno)}`,
    exitCode: ExitCode.Internal,
  });
}

/** A map tool's failure as the helper reports it (`idmap\t<tool>\t<pid>\t<status>\t<stderr>`). */
function idmapFailure(e: HelperOpError, m: IdMapping): RrunError | undefined {
  const [tag, tool, pid, status, stderr] = e.what.split('\t');
  if (tag !== 'idmap' || tool === undefined || m.kind !== 'subid') return undefined;
  const target = Number(pid);
  const argv = tool.endsWith('newgidmap') ? newgidmapArgv(target, m.gid, tool) : newuidmapArgv(target, m.uid, tool);
  return mapToolError(argv, status ?? 'failed', stderr ?? '');
}

const mapped = new WeakMap<HelperProcess, Promise<number>>();

/**
 * The container's init pid once its user namespace is fully mapped: the helper ran
 * newuidmap/newgidmap itself (idmapTools); a single-id map is written from here. Whatever
 * needs the mapped namespaces (the network helper) may wait on this before launch does.
 */
export function mappedPid(helper: HelperProcess, idmap: IdMapping): Promise<number> {
  let p = mapped.get(helper);
  if (p === undefined) {
    p = helper.namespacesReady().then(
      (pid) => {
        trace('launch: namespaces mapped');
        if (idmap.kind === 'single') writeSingleIdMap(pid, idmap);
        return pid;
      },
      (err: unknown) => {
        throw (err instanceof HelperOpError ? idmapFailure(err, idmap) : undefined) ?? err;
      },
    );
    mapped.set(helper, p);
  }
  return p;
}

async function handshake(plan: LaunchPlan, helper: HelperProcess, opts: LaunchOptions): Promise<void> {
  // exec joins namespaces that are mapped already: no NeedIdmap/IdmapDone round trip.
  if (plan.stage0?.join === undefined) {
    const pid = await mappedPid(helper, opts.idmap);
    // An early helper has cloned and mapped long ago and waits for the container's record
    // (Proceed) before stage 1 may read the whole plan.
    if (helper.early !== undefined) {
      helper.send('Proceed');
      helper.sendIdmapDoneAndPlan(plan);
    } else helper.send('IdmapDone');
    // The network helper attaches (and limits apply) while the container's setup runs:
    // both only need the mapped namespaces, and the workload starts after both. Both
    // are awaited before anything is thrown, so an attached helper is always known.
    const [attached, ready] = await Promise.allSettled([Promise.resolve().then(() => opts.onNamespaces?.(pid)), helper.expect('Ready')]);
    if (ready.status === 'rejected') throw ready.reason instanceof HelperOpError ? opError(plan, ready.reason) : ready.reason;
    if (attached.status === 'rejected') throw attached.reason;
  } else {
    try {
      await helper.expect('Ready');
    } catch (err) {
      throw err instanceof HelperOpError ? opError(plan, err) : err;
    }
  }
  helper.send('Start');
  opts.onStart?.(helper);
}

async function outcome(plan: LaunchPlan, helper: HelperProcess): Promise<LaunchResult> {
  let execFailure: RrunError | undefined;
  for (;;) {
    const m = await helper.next();
    if (m === null) break;
    if (m.type === 'ExecFailed') execFailure = execError(plan, m.step, m.errno);
    else if (m.type === 'Exited') {
      trace('launch: Exited reported');
      if (execFailure) throw execFailure;
      return m.signal ? { exitCode: m.exitCode, signal: signalName(m.signal) } : { exitCode: m.exitCode };
    } else if (m.type === 'Error') throw opError(plan, new HelperOpError(m.opIndex, m.errno, m.what));
  }
  if (execFailure) throw execFailure;
  // No Exited: pid 1 was killed (SIGKILL after the grace period, OOM, …); report it the
  // way podman does for a killed container, 128 + n.
  const e = await helper.exit;
  if (e.signal) return { exitCode: 128 + (osConstants.signals[e.signal] ?? 0), signal: e.signal };
  // Stage 0 exits with pid 1's status (128 + n when pid 1 itself was killed).
  if (e.code !== null && e.code !== ExitCode.Internal) {
    const sig = e.code > 128 ? signalName(e.code - 128) : undefined;
    return sig ? { exitCode: e.code, signal: sig } : { exitCode: e.code };
  }
  const tail = helper.stderrTail().trim();
  throw new RrunError({
    code: 'ERR_HELPER_DIED',
    message: `container init ended without reporting a status (helper exit status ${String(e.code)})${tail ? `: ${tail}` : ''}`,
    exitCode: ExitCode.Internal,
  });
}

/** The helper writes podman's maps itself (its forks are cheaper than Node's). */
function withIdmapTools(stage0: Stage0Plan | undefined, idmap: IdMapping): Stage0Plan | undefined {
  const tools = stage0?.join === undefined ? idmapTools(idmap) : undefined;
  return tools !== undefined ? { ...stage0, idmapTools: tools } : stage0;
}

type SpawnOptions = Pick<LaunchOptions, 'idmap' | 'stdio' | 'helperPath' | 'forwardSignals' | 'graceMs'>;

/**
 * Starts the helper before the plan is known: it creates the namespaces and writes the
 * id maps while Node resolves the image and registers the container. `launch` with
 * `helper` set sends the rest. Whoever starts it must kill it if launch never comes.
 */
export function startEarly(early: EarlyPlan, opts: SpawnOptions): HelperProcess {
  const stage0 = withIdmapTools(early.stage0, opts.idmap) ?? {};
  // Signals are forwarded from launch on (see HelperProcess.forward).
  return spawnHelper({ namespaces: early.namespaces, stage0 }, { ...opts, forwardSignals: false });
}

/** Launches the plan and waits for the workload. Throws RrunError (125/126/127) on failure. */
export async function launch(plan: LaunchPlan, opts: LaunchOptions): Promise<LaunchResult> {
  if (opts.signal?.aborted) {
    opts.helper?.kill('SIGKILL');
    await opts.helper?.exit;
    throw new RrunError({ code: 'ERR_ABORTED', message: 'launch aborted before start' });
  }
  plan = { ...plan, stage0: withIdmapTools(plan.stage0, opts.idmap) };
  const helper = opts.helper ?? spawnHelper(plan, opts);
  if (opts.helper !== undefined && opts.forwardSignals !== false) helper.forward();
  const onAbort = (): void => void helper.terminate(opts.graceMs);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await handshake(plan, helper, opts);
    return await outcome(plan, helper);
  } catch (err) {
    // Whatever failed, no helper may survive us: kill and reap it before reporting.
    helper.kill('SIGKILL');
    await helper.exit;
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await helper.exit;
  }
}

export interface DetachedLaunch {
  /** Host pid of the container's init. */
  pid: number;
  /** Host pid of the helper's stage 0, the container's monitor from now on. */
  monitorPid: number;
}

/**
 * Launches a plan with `stage0.detach` and returns once the workload's execve succeeded;
 * the helper stays behind as the monitor (log, exit file, exit command).
 */
export async function launchDetached(plan: LaunchPlan, opts: LaunchOptions): Promise<DetachedLaunch> {
  // No pipes: a closed read end after rrun exits would hand the monitor SIGPIPE.
  plan = { ...plan, stage0: withIdmapTools(plan.stage0, opts.idmap) };
  const helper = spawnHelper(plan, { stdio: ['ignore', 'ignore', 'ignore'], helperPath: opts.helperPath, forwardSignals: false });
  try {
    await handshake(plan, helper, opts);
    let execFailure: RrunError | undefined;
    for (;;) {
      const m = await helper.next();
      if (m?.type === 'Started') break;
      if (m?.type === 'ExecFailed') execFailure = execError(plan, m.step, m.errno);
      else if (m?.type === 'Error') throw opError(plan, new HelperOpError(m.opIndex, m.errno, m.what));
      else if (m === null || m.type === 'Exited') {
        throw execFailure ?? new RrunError({ code: 'ERR_HELPER_DIED', message: 'container init ended before its process started' });
      }
    }
    const pid = helper.initPid ?? -1;
    helper.detach();
    return { pid, monitorPid: helper.pid };
  } catch (err) {
    helper.kill('SIGKILL');
    await helper.exit;
    throw err;
  }
}
