// `rrun run` as a library function: resolve the image in podman's store, register a
// container with its writable layer, compute the spec and the helper's plan, launch,
// wait, clean up. Everything is checked before anything is written, so bad input
// leaves no container record behind.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { RrunError, errnoCode } from '../../oci/errors.js';
import type { RuntimeSpec } from '../../oci/runtime.js';
import { describeOp, type LaunchPlan, type Stage0Plan } from '../../helpers/protocol.js';
import { mappingFacts, processUserMapping, type IdMapping } from '../../helpers/idmap.js';
import type { HelperOptions } from '../../helpers/nsexec.js';
import { containerDirs, createContainer, deleteContainer, makeDir, newRandomId } from '../../storage/containers.js';
import { layerDirs, storePaths } from '../../storage/paths.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { trace, tracing } from '../trace.js';
import { forgetRun, keptRunStage0, recordKeptRun } from './run-record.js';
import { parsePullPolicy } from '../image/pull-policy.js';
import { imageSource, type ImageSource } from '../image/image-source.js';
import { etcFiles } from '../runtime/etc-files.js';
import { imagePathExists } from '../runtime/image-files.js';
import { launch, mappedPid, startEarly } from '../runtime/launch.js';
import { randomContainerName } from '../runtime/names.js';
import { resolveUser } from '../runtime/passwd.js';
import { buildLaunchPlan, planNamespaces, type RootfsSpec } from '../runtime/plan.js';
import { removeTreeInUserns } from '../runtime/remove-tree.js';
import { NO_NETWORK_EXTRAS, type RunRequest, type TmpfsRequest, type VolumeRequest } from '../runtime/request.js';
import { attachNetwork, type AttachedNetwork, type NetworkSetup } from '../runtime/network.js';
import { networkRequest, prepareNetwork, probeNetworkHost, type NetworkFlags, type NetworkHostFacts, type PreparedNetwork } from '../runtime/network-host.js';
import { overlayMode, overlayRootfs } from '../runtime/rootfs.js';
import { buildSpec } from '../runtime/spec.js';
import { applyLimits, delegatedCgroup, hasLimits, parseMemory } from '../runtime/cgroups.js';
import { containerSecurity } from '../security/container-security.js';
import { planInput } from '../runtime/spec-plan.js';
import { parseTmpfs, parseVolume } from '../runtime/volumes.js';
import { attachVolumes, chownSources, imageVolumes, initVolumes, volumeMetadata } from '../volumes/attach.js';
import { removeAnonymousVolumes } from '../volumes/remove.js';
import { parseMount } from '../volumes/mount-flag.js';

export interface RunOptions extends GlobalOptions {
  image?: string;
  /** `--pull`: missing (default), always, never, newer. */
  pull?: string | undefined;
  /** For the implicit pull: `--tls-verify`, `--quiet`, `--platform`. */
  tlsVerify?: boolean | undefined;
  quiet?: boolean | undefined;
  platform?: string | undefined;
  /** Run a plain host directory read-only instead of an image. */
  rootfs?: string;
  command?: string[];
  entrypoint?: string[];
  /** `NAME=VALUE` entries (later win), or a map. */
  env?: string[] | Record<string, string>;
  workdir?: string;
  user?: string;
  name?: string;
  hostname?: string;
  remove?: boolean;
  interactive?: boolean;
  readOnly?: boolean;
  volumes?: (string | VolumeRequest)[];
  tmpfs?: (string | TmpfsRequest)[];
  /** `--mount` values (podman's syntax): binds, named/anonymous volumes, tmpfs. */
  mounts?: string[];
  /** `--network`: slirp4netns[:OPTS], pasta[:OPTS], none, host, private (containers.conf's default). */
  network?: string;
  /** `-p` values, `-P`, `--add-host`, `--dns`, `--dns-search`, `--dns-option`. */
  publish?: string[];
  publishAll?: boolean;
  addHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  singleIdMap?: boolean;
  /** Capability names (with or without CAP_, or ALL), as podman's --cap-add/--cap-drop. */
  capAdd?: string[];
  capDrop?: string[];
  /** All capabilities, no seccomp, nothing masked (still rootless). */
  privileged?: boolean;
  /** `--memory` (bytes, or podman's `512m` syntax), `--cpus`, `--pids-limit`. */
  memory?: number | string;
  cpus?: number;
  pidsLimit?: number;
  /** podman's --security-opt values: seccomp=PATH|unconfined, no-new-privileges[=BOOL], label=disable. */
  securityOpt?: string[];
  /** `-t`: a pty from the container's devpts, proxied by the helper (raw mode, SIGWINCH). */
  tty?: boolean;
  /** stdin, stdout, stderr of the container: inherit (default), pipe, ignore or an fd. */
  stdio?: HelperOptions['stdio'];
  /** Aborting stops the container (SIGTERM, SIGKILL after 10 s). */
  signal?: AbortSignal;
  /** Called with the helper once the workload started (its piped streams). */
  onStart?: Parameters<typeof launch>[1]['onStart'];
}

export interface RunResult {
  exitCode: number;
  signal?: string;
  containerId: string;
  containerName: string;
}

export interface Prepared {
  spec: RuntimeSpec;
  plan: LaunchPlan;
}

export function toRequest(o: RunOptions, network: Pick<RunRequest, 'network' | 'net'>): RunRequest {
  if ((o.image === undefined) === (o.rootfs === undefined)) {
    throw new RrunError({ code: 'ERR_USAGE', message: 'give exactly one of an image or --rootfs DIR' });
  }
  const env = Array.isArray(o.env) ? o.env : Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const mounts = (o.mounts ?? []).map(parseMount);
  return {
    image: o.image,
    pull: o.image !== undefined ? { policy: parsePullPolicy(o.pull), tlsVerify: o.tlsVerify, quiet: o.quiet, platform: o.platform } : undefined,
    rootfs: o.rootfs,
    command: o.command ?? [],
    entrypoint: o.entrypoint,
    env,
    workdir: o.workdir,
    user: o.user,
    name: o.name,
    hostname: o.hostname,
    remove: o.remove ?? false,
    interactive: o.interactive ?? false,
    readOnly: o.readOnly ?? false,
    volumes: [...(o.volumes ?? []).map((v) => (typeof v === 'string' ? parseVolume(v) : v)), ...mounts.flatMap((m) => ('volume' in m ? [m.volume] : []))],
    tmpfs: [...(o.tmpfs ?? []).map((t) => (typeof t === 'string' ? parseTmpfs(t) : t)), ...mounts.flatMap((m) => ('tmpfs' in m ? [m.tmpfs] : []))],
    network: network.network,
    net: network.net,
    singleIdMap: o.singleIdMap ?? false,
    security: { capAdd: o.capAdd ?? [], capDrop: o.capDrop ?? [], privileged: o.privileged ?? false, securityOpt: o.securityOpt ?? [] },
    limits: {
      memory: typeof o.memory === 'string' ? parseMemory(o.memory) : o.memory,
      cpus: o.cpus,
      pidsLimit: o.pidsLimit,
    },
  };
}

/** Bind sources must exist; podman's message is statfs's. */
function volumeKinds(volumes: readonly VolumeRequest[]): Map<string, 'file' | 'dir'> {
  const kinds = new Map<string, 'file' | 'dir'>();
  for (const v of volumes) {
    // Named and anonymous volumes are directories rrun makes (src/volumes/attach.ts).
    if (v.volume !== undefined) {
      kinds.set(v.source, 'dir');
      continue;
    }
    try {
      kinds.set(v.source, statSync(v.source).isDirectory() ? 'dir' : 'file');
    } catch (err) {
      throw new RrunError({
        code: 'ERR_VOLUME_SOURCE',
        message: `statfs ${v.source}: ${errnoCode(err) === 'ENOENT' ? 'no such file or directory' : (errnoCode(err) ?? String(err))}`,
        subject: v.source,
        hint: `create ${v.source} first, or fix the -v option`,
        cause: err,
      });
    }
  }
  return kinds;
}

export function idMapping(req: Pick<RunRequest, 'singleIdMap'>): IdMapping {
  return processUserMapping(req.singleIdMap);
}

function specMappings(m: IdMapping): { uid: RuntimeSpec['linux']['uidMappings']; gid: RuntimeSpec['linux']['gidMappings'] } {
  if (m.kind === 'single') {
    return { uid: [{ containerID: 0, hostID: m.uid, size: 1 }], gid: [{ containerID: 0, hostID: m.gid, size: 1 }] };
  }
  const conv = (e: { inside: number; outside: number; count: number }) => ({ containerID: e.inside, hostID: e.outside, size: e.count });
  return { uid: m.uid.map(conv), gid: m.gid.map(conv) };
}

function hostFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export interface Built extends Prepared {
  containerId: string;
  containerName: string;
  idmap: IdMapping;
  network: NetworkSetup;
  /** The delegated cgroup subtree to put the container in, when it has limits. */
  cgroup?: string | undefined;
}

/** An already registered container (rrun start): its record is reused, not created. */
export interface ExistingContainer {
  id: string;
  name: string;
  layer: string;
}

interface Placed {
  containerId: string;
  containerName: string;
  rootfs: RootfsSpec;
  /** The container's run directory: generated /etc files, the --rootfs mount point. */
  rundata: string;
}

interface PlaceOptions {
  existing: ExistingContainer | undefined;
  /** The new container's id when the caller chose it already (an early helper knows it). */
  containerId: string | undefined;
  dryRun: boolean;
  firstUses: Awaited<ReturnType<typeof attachVolumes>>;
  user: ReturnType<typeof resolveUser>;
  idmap: IdMapping;
}

/**
 * Register the container (or reuse a started one's record) with its writable layer, and
 * decide its root: the overlay of the image's layers, or a --rootfs directory read-only.
 */
async function placeContainer(ctx: Context, req: RunRequest, src: ImageSource, o: PlaceOptions): Promise<Placed> {
  const paths = storePaths(ctx.storage);
  const mode = overlayMode(ctx.storage.driverOptions, src.hasMountProgram);
  if (src.imageId === undefined) {
    const containerId = o.containerId ?? newRandomId();
    const rundata = `${ctx.storage.runRoot}/rrun/rootfs-${containerId}`;
    const rootfs: RootfsSpec = { kind: 'bind', path: req.rootfs as string, readonly: true, mountpoint: `${rundata}/root` };
    if (!o.dryRun) makeDir(rootfs.mountpoint as string, 'runroot', ctx.storage.runRoot);
    return { containerId, containerName: req.name ?? randomContainerName(), rootfs, rundata };
  }
  if (o.dryRun) {
    const containerId = newRandomId();
    const rootfs = overlayRootfs(paths, src.lowers, '<container-layer>', mode, req.readOnly, req.remove);
    return { containerId, containerName: req.name ?? randomContainerName(), rootfs, rundata: containerDirs(paths, containerId).rundata };
  }
  const metadata = (name: string): string =>
    JSON.stringify({ 'image-name': req.image, 'image-id': src.imageId, name, 'created-at': Math.floor(Date.now() / 1000), 'created-by': 'rrun', ...volumeMetadata(req.volumes) });
  const record = o.existing
    ? { id: o.existing.id, names: [o.existing.name], layer: o.existing.layer }
    : await createContainer(ctx.storage, { imageId: src.imageId, topLayer: src.topLayer, name: req.name ?? randomContainerName, metadata, id: o.containerId });
  trace('build: container created');
  const layer = record.layer as string;
  await initVolumes(ctx.storage.graphRoot, ctx.storage.runRoot, o.firstUses, { kind: 'stopped', paths, layer, mode }, o.user, o.idmap);
  return {
    containerId: record.id,
    containerName: record.names?.[0] ?? req.name ?? '',
    // podman mounts the layer of a --rm container volatile; a started container's (rrun
    // start) may be mounted again, so never.
    rootfs: overlayRootfs(paths, src.lowers, layer, mode, req.readOnly, req.remove && o.existing === undefined),
    rundata: containerDirs(paths, record.id).rundata,
  };
}

/** The generated /etc files, written into the run directory and bind-mounted by the plan. */
function writeEtcFiles(rundata: string, files: ReturnType<typeof etcFiles>, image: boolean, dryRun: boolean, runRoot: string) {
  const etc = {
    hosts: `${rundata}/hosts`,
    hostname: `${rundata}/hostname`,
    // Tools detect a podman-style container by this file; a plain --rootfs has no place for it.
    ...(image ? { containerenv: `${rundata}/.containerenv` } : {}),
    ...(files.resolvConf !== undefined ? { resolvConf: `${rundata}/resolv.conf` } : {}),
  };
  if (!dryRun) {
    makeDir(rundata, 'runroot', runRoot);
    writeFileSync(etc.hosts, files.hosts, { mode: 0o644 });
    writeFileSync(etc.hostname, files.hostname, { mode: 0o644 });
    if (etc.containerenv !== undefined) writeFileSync(etc.containerenv, '', { mode: 0o644 });
    if (etc.resolvConf !== undefined && files.resolvConf !== undefined) writeFileSync(etc.resolvConf, files.resolvConf, { mode: 0o644 });
  }
  return etc;
}

/** The container's network helper, ports checked; `exposed` for -P from the image. */
function prepareRunNetwork(ctx: Context, req: RunRequest, netFacts: NetworkHostFacts, dryRun: boolean, exposed?: Record<string, object>) {
  return prepareNetwork({
    mode: req.network, net: req.net ?? NO_NETWORK_EXTRAS, exposed, facts: netFacts, dryRun,
    controlPath: `${ctx.storage.runRoot}/rrun/net-${newRandomId().slice(0, 12)}`,
  });
}

export async function build(
  ctx: Context, req: RunRequest, dryRun: boolean, netFacts: NetworkHostFacts, existing?: ExistingContainer, chosenId?: string,
  prepared?: PreparedNetwork,
): Promise<Built> {
  trace('build: start');
  // Refused before anything is written when this machine cannot enforce them.
  const cgroup = req.limits && hasLimits(req.limits) ? delegatedCgroup(ctx.host.uid, req.limits) : undefined;
  const idmap = idMapping(req);
  volumeKinds(req.volumes);
  const src = await imageSource(ctx, req);
  trace('build: image resolved');
  // Everything so far ran without a turn of the event loop (synchronous reads): take one,
  // so that an early helper's NeedIdmap is read and the network helper starts attaching
  // while the container is registered.
  await new Promise<void>((resolve) => setImmediate(resolve));
  req.volumes.push(...imageVolumes(req.volumes, req.tmpfs, src.config?.Volumes));
  const firstUses = await attachVolumes(ctx.storage.graphRoot, req.volumes, dryRun);
  const kinds = volumeKinds(req.volumes);
  const user = resolveUser(req.user ?? src.config?.User ?? '', src.readFile('/etc/passwd'), src.readFile('/etc/group'));
  const security = containerSecurity(req.security ?? {}, user.uid);
  trace('build: security resolved');
  // Ports are checked (privileged, in use) before the container record exists.
  const net = req.net ?? NO_NETWORK_EXTRAS;
  const network = prepared ?? (await prepareRunNetwork(ctx, req, netFacts, dryRun, src.config?.ExposedPorts));
  const placed = await placeContainer(ctx, req, src, { existing, containerId: chosenId, dryRun, firstUses, user, idmap });
  const { containerId, containerName, rootfs, rundata } = placed;
  const paths = storePaths(ctx.storage);
  if (!dryRun) await chownSources(ctx.storage.runRoot, req.volumes, user, idmap);
  const ids = specMappings(idmap);
  const spec = buildSpec({
    request: req, image: src.config, user, containerId, containerName,
    rootPath: rootfs.kind === 'bind' ? (rootfs.mountpoint ?? rootfs.path) : rootfs.mountpoint, uidMappings: ids.uid, gidMappings: ids.gid,
    security,
  });
  const files = etcFiles({
    network: req.network, hostname: spec.hostname, containerName, hostHosts: hostFile('/etc/hosts'), hostResolvConf: network.hostResolvConf,
    addresses: network.addresses, addHosts: net.addHosts, dns: net.dns, dnsSearch: net.dnsSearch, dnsOptions: net.dnsOptions,
  });
  const etc = writeEtcFiles(rundata, files, src.imageId !== undefined, dryRun, ctx.storage.runRoot);
  // A restarted container's own layer may already hold the link from its first start.
  const ownLayer = existing !== undefined && existing.layer !== '' ? [layerDirs(paths, existing.layer).diff] : [];
  // A volume or bind over /etc brings its own content (and the link of a former run).
  const etcMounted = req.volumes.some((v) => '/etc/mtab'.startsWith(`${v.destination.replace(/\/+$/, '')}/`));
  const mtabLink = src.imageId !== undefined && !src.exists('/etc/mtab') && !imagePathExists(ownLayer, '/etc/mtab') && !etcMounted;
  const plan = buildLaunchPlan({
    ...planInput(spec, { rootfs, idmap: mappingFacts(idmap), etc, mtabLink, sourceKinds: kinds, ...(security.bpf ? { seccomp: security.bpf } : {}) }),
    sysctls: network.sysctls,
    ...(network.loopbackUp !== undefined ? { loopbackUp: network.loopbackUp } : {}),
  });
  trace('build: plan ready');
  return { spec, plan, containerId, containerName, idmap, network: network.setup, cgroup };
}

export function networkOf(o: RunOptions, facts: NetworkHostFacts): Pick<RunRequest, 'network' | 'net'> {
  const flags: NetworkFlags = {
    network: o.network, publish: o.publish, publishAll: o.publishAll, addHosts: o.addHosts,
    dns: o.dns, dnsSearch: o.dnsSearch, dnsOptions: o.dnsOptions,
  };
  const { mode, net } = networkRequest(flags, facts);
  return { network: mode, net };
}

/** The spec and plan `run` would use, without creating or starting anything. */
export async function prepareRun(opts: RunOptions, ctx?: Context): Promise<Prepared> {
  const context = ctx ?? (await createContext(opts));
  const netFacts = await probeNetworkHost(context.env, context.host.home);
  const { spec, plan } = await build(context, toRequest(opts, networkOf(opts, netFacts)), true, netFacts);
  return { spec, plan };
}

export async function cleanup(ctx: Context, built: Built, req: RunRequest, started: boolean): Promise<void> {
  if (req.rootfs !== undefined) {
    await removeTreeInUserns(`${ctx.storage.runRoot}/rrun/rootfs-${built.containerId}`, built.idmap);
    return;
  }
  // A container whose process never started is not kept (podman would show it as
  // "Created"); with --rm every container goes.
  if (req.remove || !started) {
    await deleteContainer(ctx.storage, built.containerId, (dir) => removeTreeInUserns(dir, built.idmap));
    // podman's --rm takes the container's anonymous volumes with it.
    await removeAnonymousVolumes(ctx, req.volumes, built.idmap);
  }
}

/**
 * The helper starts before the image is even resolved: its clone and the id maps run on
 * the other core while Node reads the store and registers the container, whose id is
 * therefore chosen here. On any failure before launch the helper is killed and reaped.
 */
function startHelperEarly(context: Context, req: RunRequest, opts: RunOptions, containerId: string, kept: boolean) {
  const stage0: Stage0Plan = {
    ...(opts.tty ? { terminal: { forwardStdin: req.interactive } } : {}),
    ...(kept ? keptRunStage0(context, containerId) : {}),
  };
  const idmap = idMapping(req);
  const stdio = opts.stdio ?? [req.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'];
  const spawnOpts = { idmap, stdio, forwardSignals: opts.stdio === undefined, graceMs: 10_000 };
  const helper = startEarly({ namespaces: planNamespaces(req.network === 'host' ? 'host' : 'private'), stage0 }, spawnOpts);
  return { helper, stage0, spawnOpts, containerId };
}

/** A promise whose rejection is handled where it is awaited, not reported as unhandled meanwhile. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** Run a container to completion; resolves to its exit status (128+n for a signal). */
export async function run(opts: RunOptions, ctx?: Context): Promise<RunResult> {
  const context = ctx ?? (await createContext(opts));
  const netFacts = await probeNetworkHost(context.env, context.host.home, opts.network);
  const req = toRequest(opts, networkOf(opts, netFacts));
  const kept = !req.remove && req.image !== undefined;
  const early = startHelperEarly(context, req, opts, newRandomId(), kept);
  let built: Built;
  // The network helper attaches as soon as the namespaces are mapped, while the image is
  // still resolved and the container registered; with -P its ports come from the image.
  let attaching: Promise<AttachedNetwork | undefined> | undefined;
  try {
    const prepared = req.net?.publishAll ? undefined : await prepareRunNetwork(context, req, netFacts, false);
    if (prepared !== undefined) {
      attaching = quiet(mappedPid(early.helper, early.spawnOpts.idmap).then((pid) => attachNetwork(prepared.setup, pid)));
    }
    built = await build(context, req, false, netFacts, undefined, early.containerId, prepared);
    built.plan.stage0 = { ...built.plan.stage0, ...early.stage0 };
    if (tracing()) built.plan.ops.forEach((op, i) => trace(`plan op ${i}: ${describeOp(op)}`));
    if (kept) await recordKeptRun(context, built, req, opts);
  } catch (err) {
    early.helper.kill('SIGKILL');
    await early.helper.exit;
    // The caller may be a long-lived program: nothing of this run may still be running.
    await (await attaching?.catch(() => undefined))?.stop(true);
    throw err;
  }
  let started = false;
  let attached: AttachedNetwork | undefined;
  let releaseCgroup: (() => void) | undefined;
  try {
    const result = await launch(built.plan, {
      ...early.spawnOpts,
      helper: early.helper,
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      // The netns exists and root in it is mapped: the network helper is attached (or
      // attaches now) and limits apply, while the container's setup runs.
      onNamespaces: async (pid) => {
        if (built.cgroup !== undefined && req.limits) releaseCgroup = applyLimits(built.cgroup, built.containerId, pid, req.limits);
        attached = await (attaching ?? attachNetwork(built.network, pid));
        trace('network: attached');
      },
      onStart: (helper) => {
        trace('launch: workload started');
        started = true;
        opts.onStart?.(helper);
      },
    });
    trace('launch: exited');
    return { ...result, containerId: built.containerId, containerName: built.containerName };
  } catch (err) {
    if (err instanceof RrunError && (err.code === 'ERR_EXEC_NOT_FOUND' || err.code === 'ERR_EXEC_CANNOT_INVOKE')) started = false;
    throw err;
  } finally {
    // After the container: its helper goes only once nothing can use the network any more.
    // One attached early is stopped even when launch failed before it asked for it.
    attached ??= await attaching?.catch(() => undefined);
    await attached?.stop();
    trace('network stopped');
    releaseCgroup?.();
    await cleanup(context, built, req, started);
    if (kept && !started) forgetRun(context, built.containerId);
    trace('cleanup: done');
  }
}
