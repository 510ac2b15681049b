// The container's network, decided as data: which mode (`--network`, containers.conf,
// what is installed), the helper's options in podman's spellings, the addresses the
// /etc files need, and the published ports. Pure except for `attachNetwork`, which
// starts the helper against the container's pid and returns how to stop it.
import { readFileSync, rmSync } from 'node:fs';
import { mkdirp } from '../../storage/mkdirp.js';
import { dirname } from 'node:path';
import { RrunError } from '../../oci/errors.js';
import { Pasta, MAP_GW } from '../../helpers/pasta.js';
import { Slirp4netns, type SlirpConfig } from '../../helpers/slirp4netns.js';
import type { NetworkConf } from '../config/containers-conf.js';
import type { NetworkMode, PortMapping } from './request.js';

export interface NetworkChoice {
  mode: NetworkMode;
  /** Helper options: containers.conf's first, then those after `MODE:`. */
  options: string[];
}

/** Which helpers exist (path or null), probed once per run. */
export interface NetworkBinaries {
  slirp4netns: string | null;
  pasta: string | null;
}

function networkError(value: string, why: string): RrunError {
  return new RrunError({
    code: 'ERR_INVALID_NETWORK',
    message: `invalid --network "${value}": ${why}`,
    subject: value,
    hint: 'rootless modes: slirp4netns[:OPTIONS], pasta[:OPTIONS], none (loopback only), host, private (the default helper)',
  });
}

const MODES: Readonly<Record<string, NetworkMode | 'private'>> = {
  slirp4netns: 'slirp4netns', pasta: 'pasta', none: 'none', host: 'host', private: 'private',
};

/** `slirp4netns:allow_host_loopback=true,mtu=1500` → mode and options (podman's syntax). */
export function parseNetworkFlag(value: string): { mode: NetworkMode | 'private'; options: string[] } {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const mode = MODES[name];
  if (mode === undefined) {
    const why = name === 'bridge' || name === 'container' || name === 'ns'
      ? `mode ${name} is not supported by rrun`
      : `unknown network mode "${name}"`;
    throw networkError(value, why);
  }
  const options = colon < 0 ? [] : value.slice(colon + 1).split(',').filter((o) => o !== '');
  if (options.length > 0 && mode !== 'slirp4netns' && mode !== 'pasta') throw networkError(value, `mode ${name} takes no options`);
  return { mode, options };
}

/** podman's default: containers.conf, else slirp4netns when installed, else pasta. */
export function defaultMode(conf: NetworkConf, bin: NetworkBinaries): NetworkMode {
  const wanted = conf.defaultRootlessNetworkCmd;
  if (wanted === 'pasta' || wanted === 'slirp4netns') return wanted;
  if (bin.slirp4netns === null && bin.pasta !== null) return 'pasta';
  return 'slirp4netns';
}

/** The mode and options for a run: flag → containers.conf netns → the default helper. */
export function chooseNetwork(flag: string | undefined, conf: NetworkConf, bin: NetworkBinaries): NetworkChoice {
  const parsed = parseNetworkFlag(flag ?? conf.netns ?? 'private');
  const mode = parsed.mode === 'private' ? defaultMode(conf, bin) : parsed.mode;
  const fromConf = mode === 'slirp4netns' ? conf.networkCmdOptions ?? [] : mode === 'pasta' ? conf.pastaOptions ?? [] : [];
  const path = mode === 'slirp4netns' ? bin.slirp4netns : mode === 'pasta' ? bin.pasta : '';
  if (path === null) {
    throw new RrunError({
      code: 'ERR_NETWORK_HELPER_MISSING',
      message: `--network ${mode} needs the ${mode} binary, which is not installed`,
      subject: mode,
      hint: mode === 'slirp4netns'
        ? 'install it (apt-get install slirp4netns), or use --network pasta or --network none'
        : 'install it (apt-get install passt), or use --network slirp4netns or --network none',
    });
  }
  return { mode, options: [...fromConf, ...parsed.options] };
}

type SlirpKey = (c: SlirpConfig, value: string, option: string) => void;
const bool = (option: string, value: string): boolean => {
  if (value === 'true' || value === 'false') return value === 'true';
  throw networkError(`slirp4netns:${option}`, 'expected true or false');
};

/** podman's slirp4netns option names (containers.conf network_cmd_options). */
const SLIRP_KEYS: Readonly<Record<string, SlirpKey>> = {
  allow_host_loopback: (c, v, o) => { c.allowHostLoopback = bool(o, v); },
  enable_ipv6: (c, v, o) => { c.enableIpv6 = bool(o, v); },
  mtu: (c, v, o) => {
    const mtu = Number(v);
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65521) throw networkError(`slirp4netns:${o}`, 'mtu must be 68…65521');
    c.mtu = mtu;
  },
  cidr: (c, v, o) => {
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(v)) throw networkError(`slirp4netns:${o}`, 'cidr must be an IPv4 network like 10.0.2.0/24');
    c.cidr = v;
  },
  outbound_addr: (c, v) => { c.outboundAddr = v; },
  outbound_addr6: (c, v) => { c.outboundAddr6 = v; },
  // rrun has no rootlessport: ports always go through slirp4netns' own API.
  port_handler: (_c, v, o) => {
    if (v !== 'slirp4netns' && v !== 'rootlesskit') throw networkError(`slirp4netns:${o}`, 'port_handler is slirp4netns or rootlesskit');
  },
};

export function slirpConfig(options: readonly string[], sandbox: boolean): SlirpConfig {
  const c: SlirpConfig = { allowHostLoopback: false, mtu: 65520, enableIpv6: true, sandbox };
  for (const option of options) {
    const eq = option.indexOf('=');
    const set = SLIRP_KEYS[eq < 0 ? option : option.slice(0, eq)];
    if (set === undefined || eq < 0) throw networkError(`slirp4netns:${option}`, `unknown option; known: ${Object.keys(SLIRP_KEYS).join(', ')} (each KEY=VALUE)`);
    set(c, option.slice(eq + 1), option);
  }
  return c;
}

/** The n-th address of an IPv4 network (`10.0.2.0/24`, 3 → `10.0.2.3`). */
export function nthAddress(cidr: string, n: number): string {
  const [base = '', bits = '24'] = cidr.split('/');
  const num = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = Number(bits) === 0 ? 0 : 2 ** 32 - 2 ** (32 - Number(bits));
  const v = (num & mask) >>> 0;
  const a = v + n;
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}

export const PASTA_DNS_FORWARD = '169.254.1.1';

/** What the container's /etc files say about the network. */
export interface NetworkAddresses {
  /** The container's own address for its /etc/hosts line. */
  containerIp: string;
  /** host.containers.internal; undefined leaves the entry out (no usable address). */
  hostIp: string | undefined;
  /** The helper's DNS forwarder, first in resolv.conf; undefined: none. */
  dns: string | undefined;
}

/** Facts about the host's network that the addresses depend on. */
export interface HostNet {
  /** First non-loopback IPv4 address (podman's GetLocalIP rule). */
  localIp: string | undefined;
  /** The IPv4 default gateway; pasta copies it into the namespace. */
  gateway: string | undefined;
}

const optionValue = (opts: readonly string[], name: string): string | undefined => {
  const i = opts.findIndex((o) => o === name || o.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const o = opts[i] as string;
  return o.includes('=') ? o.slice(o.indexOf('=') + 1) : opts[i + 1];
};

/**
 * podman's choices: slirp4netns gives 10.0.2.100 with DNS .3; host.containers.internal is
 * the gateway (.2, which reaches the host's loopback) when allowed — as podman 5 does —
 * else the host's first address. pasta copies the host's address; its gateway reaches the
 * host's loopback only with --map-gw.
 */
export function networkAddresses(choice: NetworkChoice, slirp: SlirpConfig | undefined, host: HostNet): NetworkAddresses {
  switch (choice.mode) {
    case 'slirp4netns': {
      const cidr = slirp?.cidr ?? '10.0.2.0/24';
      return {
        containerIp: nthAddress(cidr, 100),
        hostIp: slirp?.allowHostLoopback ? nthAddress(cidr, 2) : host.localIp,
        dns: nthAddress(cidr, 3),
      };
    }
    case 'pasta':
      return {
        containerIp: host.localIp ?? '127.0.0.1',
        hostIp: choice.options.includes(MAP_GW) ? (host.gateway ?? host.localIp) : host.localIp,
        dns: optionValue(choice.options, '--dns-forward') ?? PASTA_DNS_FORWARD,
      };
    case 'none':
      return { containerIp: '127.0.0.1', hostIp: host.localIp, dns: undefined };
    case 'host':
      return { containerIp: '127.0.0.1', hostIp: '127.0.0.1', dns: undefined };
  }
}

export interface NetworkSetup {
  choice: NetworkChoice;
  binary: string;
  slirp?: SlirpConfig | undefined;
  ports: PortMapping[];
  /** slirp4netns API socket (short: sun_path holds 108 bytes) or pasta pid file. */
  controlPath: string;
}

export interface AttachedNetwork {
  /** `wait`: resolve only once the helper process is gone (else it ends on its own shortly). */
  stop(wait?: boolean): Promise<void>;
  /** For a detached container: what `container cleanup` must stop later. */
  recorded?: RecordedHelper | undefined;
}

/** A network helper that outlives rrun (detached containers), found again by pid. */
export interface RecordedHelper {
  pid: number;
  /** Names /proc/PID/comm may have: a reused pid is never killed. */
  comm: string[];
}

const COMMS: Record<'slirp4netns' | 'pasta', string[]> = {
  slirp4netns: ['slirp4netns'],
  pasta: ['pasta', 'passt', 'pasta.avx2', 'passt.avx2'],
};

/** Kill a recorded helper if that pid still is one (cleanup, rm of a dead monitor). */
export function stopRecordedHelper(h: RecordedHelper | undefined): void {
  if (h === undefined) return;
  let comm = '';
  try {
    comm = readFileSync(`/proc/${h.pid}/comm`, 'utf8').trim();
  } catch {
    return;
  }
  if (!h.comm.includes(comm)) return;
  try {
    process.kill(h.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function attachSlirp(setup: NetworkSetup, pid: number, detached: boolean): Promise<AttachedNetwork> {
  const config: SlirpConfig = {
    ...(setup.slirp as SlirpConfig),
    ...(setup.ports.length > 0 ? { apiSocket: setup.controlPath } : {}),
    noExitFd: detached,
  };
  const slirp = await Slirp4netns.start(setup.binary, pid, config);
  try {
    for (const p of setup.ports) {
      await slirp.addHostfwd({ proto: p.protocol, hostAddr: p.hostIp, hostPort: p.hostPort, guestPort: p.containerPort });
    }
  } catch (err) {
    await slirp.stop(undefined, true);
    throw err;
  }
  return detached ? { stop: (wait) => slirp.stop(undefined, wait), recorded: { pid: slirp.pid, comm: COMMS.slirp4netns } } : { stop: (wait) => slirp.stop(undefined, wait) };
}

async function attachPasta(setup: NetworkSetup, pid: number, detached: boolean): Promise<AttachedNetwork> {
  const pasta = await Pasta.start(setup.binary, pid, {
    options: setup.choice.options,
    forwards: setup.ports.map((p) => ({ proto: p.protocol, hostAddr: p.hostIp, hostPort: p.hostPort, guestPort: p.containerPort })),
    pidFile: setup.controlPath,
    dnsForward: PASTA_DNS_FORWARD,
    // A foreground container's pasta dies with rrun; a detached one's outlives it.
    foreground: !detached,
  });
  return detached ? { stop: (wait) => pasta.stop(wait), recorded: { pid: pasta.pid, comm: COMMS.pasta } } : { stop: (wait) => pasta.stop(wait) };
}

const ATTACH: Readonly<Record<NetworkMode, ((s: NetworkSetup, pid: number, detached: boolean) => Promise<AttachedNetwork>) | undefined>> = {
  slirp4netns: attachSlirp, pasta: attachPasta, none: undefined, host: undefined,
};

/** Starts the helper against the container's pid (after its id maps are written). */
export async function attachNetwork(setup: NetworkSetup, pid: number, opts: { detached?: boolean } = {}): Promise<AttachedNetwork | undefined> {
  const attach = ATTACH[setup.choice.mode];
  if (attach === undefined) return undefined;
  mkdirp(dirname(setup.controlPath));
  const removeControl = (): void => rmSync(setup.controlPath, { force: true });
  let helper: AttachedNetwork;
  try {
    helper = await attach(setup, pid, opts.detached ?? false);
  } catch (err) {
    removeControl();
    throw err;
  }
  return {
    async stop(wait) {
      await helper.stop(wait);
      removeControl();
    },
    recorded: helper.recorded,
  };
}
