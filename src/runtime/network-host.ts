// What a run's network needs from the host, read once: containers.conf, which helpers
// are installed, the host's address and gateway, and whether slirp4netns' sandbox can
// see /etc/resolv.conf. Then the caller's flags become a checked NetworkRequest.
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { RrunError } from '../../oci/errors.js';
import { loadNetworkConf, realConfHost, type NetworkConf } from '../config/containers-conf.js';
import { which } from '../host/facts.js';
import { chooseNetwork, networkAddresses, slirpConfig, type HostNet, type NetworkAddresses, type NetworkBinaries, type NetworkSetup } from './network.js';
import { checkPorts, exposedPorts, parsePublish, realPortHost, type PortHost } from './ports.js';
import type { HostEntry, NetworkMode, NetworkRequest } from './request.js';

export interface NetworkFlags {
  network?: string | undefined;
  publish?: readonly string[] | undefined;
  publishAll?: boolean | undefined;
  addHosts?: readonly string[] | undefined;
  dns?: readonly string[] | undefined;
  dnsSearch?: readonly string[] | undefined;
  dnsOptions?: readonly string[] | undefined;
}

export interface NetworkHostFacts {
  conf: NetworkConf;
  binaries: NetworkBinaries;
  net: HostNet;
  /** slirp4netns --enable-sandbox only sees /etc and /run of the host. */
  sandboxOk: boolean;
}

/** The IPv4 default gateway from /proc/net/route (hex, little-endian). */
export function defaultGateway(route: string): string | undefined {
  for (const line of route.split('\n').slice(1)) {
    const [, dest, gw] = line.trim().split(/\s+/);
    if (dest === '00000000' && gw !== undefined && /^[0-9A-Fa-f]{8}$/.test(gw)) {
      const n = parseInt(gw, 16);
      return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
    }
  }
  return undefined;
}

function localIp(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    const a = (addrs ?? []).find((x) => x.family === 'IPv4' && !x.internal);
    if (a !== undefined) return a.address;
  }
  return undefined;
}

// Small files of /etc and /proc, read synchronously: each asynchronous read costs several
// thread-pool round trips, more than the read itself.
function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function resolvConfVisible(): boolean {
  try {
    if (!lstatSync('/etc/resolv.conf').isSymbolicLink()) return true;
    return /^\/(etc|run)\//.test(realpathSync('/etc/resolv.conf'));
  } catch {
    return true;
  }
}

/**
 * The host's network facts. With `--network none` or `host` (`network`) no helper binary
 * can be used, so none is looked up on $PATH.
 */
export async function probeNetworkHost(env: Readonly<Record<string, string | undefined>>, home: string, network?: string): Promise<NetworkHostFacts> {
  const helpers = network !== 'none' && network !== 'host';
  const [conf, slirp4netns, pasta, route, sandboxOk] = await Promise.all([
    loadNetworkConf(realConfHost(env, home)),
    helpers ? which('slirp4netns', env) : null,
    helpers ? which('pasta', env) : null,
    readOptional('/proc/net/route') ?? '',
    resolvConfVisible(),
  ]);
  return {
    conf,
    binaries: { slirp4netns: conf.networkCmdPath || slirp4netns, pasta },
    net: { localIp: localIp(), gateway: defaultGateway(route) },
    sandboxOk,
  };
}

function flagError(flag: string, value: string, why: string, hint: string): RrunError {
  return new RrunError({ code: 'ERR_INVALID_NETWORK_FLAG', message: `invalid ${flag} "${value}": ${why}`, subject: value, hint });
}

/** `--add-host name:ip` (podman also accepts `name=ip`); IPv6 keeps its colons. */
export function parseAddHost(value: string): HostEntry {
  const sep = value.search(/[:=]/);
  const name = sep < 0 ? '' : value.slice(0, sep);
  const ip = sep < 0 ? '' : value.slice(sep + 1).replace(/^\[(.*)\]$/, '$1');
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name) || !/^[0-9A-Fa-f.:]+$/.test(ip) || (!ip.includes('.') && !ip.includes(':'))) {
    throw flagError('--add-host', value, 'expected HOST:IP', 'e.g. --add-host db.local:10.1.2.3');
  }
  return { name, ip };
}

/** podman refuses these combinations rather than ignoring the flags. */
function checkConflicts(mode: NetworkMode, f: NetworkFlags): void {
  const noOwnNet = mode === 'none' || mode === 'host';
  if (noOwnNet && ((f.publish ?? []).length > 0 || f.publishAll)) {
    throw flagError('--publish', (f.publish ?? ['-P'])[0] ?? '-P', `ports cannot be published with --network ${mode}`,
      mode === 'host' ? 'with --network host the container\'s ports are the host\'s already' : 'use --network slirp4netns or pasta');
  }
  if (mode === 'none' && ((f.dns ?? []).length > 0 || (f.dnsSearch ?? []).length > 0 || (f.dnsOptions ?? []).length > 0)) {
    throw flagError('--dns', (f.dns ?? f.dnsSearch ?? f.dnsOptions ?? [''])[0] ?? '', 'DNS settings conflict with --network none', 'drop the --dns* options or choose a network');
  }
}

/** The caller's network flags, checked, with containers.conf's defaults filled in. */
export function networkRequest(f: NetworkFlags, facts: NetworkHostFacts): { mode: NetworkMode; net: NetworkRequest } {
  const choice = chooseNetwork(f.network, facts.conf, facts.binaries);
  checkConflicts(choice.mode, f);
  const or = (given: readonly string[] | undefined, conf: string[] | undefined): string[] =>
    given !== undefined && given.length > 0 ? [...given] : [...(conf ?? [])];
  return {
    mode: choice.mode,
    net: {
      options: choice.options,
      publish: (f.publish ?? []).flatMap(parsePublish),
      publishAll: f.publishAll ?? false,
      addHosts: (f.addHosts ?? []).map(parseAddHost),
      dns: or(f.dns, choice.mode === 'none' ? [] : facts.conf.dnsServers),
      dnsSearch: or(f.dnsSearch, facts.conf.dnsSearches),
      dnsOptions: or(f.dnsOptions, facts.conf.dnsOptions),
    },
  };
}

/** Everything build() needs from the network: the helper setup, /etc addresses, plan extras. */
export interface PreparedNetwork {
  setup: NetworkSetup;
  addresses: NetworkAddresses;
  /** For /etc/resolv.conf: systemd-resolved's upstream list when the host uses its stub. */
  hostResolvConf: string | undefined;
  sysctls: Record<string, string>;
  /** Interface to set up in the container's own netns (--network none: `lo`). */
  loopbackUp: string | undefined;
}

export interface PrepareNetworkInput {
  mode: NetworkMode;
  net: NetworkRequest;
  exposed: Readonly<Record<string, object>> | undefined;
  facts: NetworkHostFacts;
  /** slirp4netns API socket / pasta pid file. */
  controlPath: string;
  /** Dry run: no port probing (nothing may be bound or chosen). */
  dryRun: boolean;
  portHost?: PortHost;
}

function hostResolvConf(): string | undefined {
  const main = readOptional('/etc/resolv.conf');
  // podman: a resolv.conf naming only systemd-resolved's stub means the real list is elsewhere.
  if (main !== undefined && /^nameserver\s+127\.0\.0\.53\s*$/m.test(main)) return readOptional('/run/systemd/resolve/resolv.conf') ?? main;
  return main;
}

export async function prepareNetwork(i: PrepareNetworkInput): Promise<PreparedNetwork> {
  const choice = { mode: i.mode, options: i.net.options };
  const slirp = i.mode === 'slirp4netns' ? slirpConfig(i.net.options, i.facts.sandboxOk) : undefined;
  const wanted = [...i.net.publish, ...(i.net.publishAll ? exposedPorts(i.exposed) : [])];
  const ports = i.dryRun ? wanted : await checkPorts(wanted, i.portHost ?? realPortHost);
  const binary = i.mode === 'slirp4netns' ? i.facts.binaries.slirp4netns : i.mode === 'pasta' ? i.facts.binaries.pasta : '';
  const priv = i.mode !== 'host';
  return {
    setup: { choice, binary: binary ?? '', slirp, ports, controlPath: i.controlPath },
    addresses: networkAddresses(choice, slirp, i.facts.net),
    hostResolvConf: hostResolvConf(),
    // podman's containers.conf default_sysctls: ICMP echo sockets for every gid, so ping works without CAP_NET_RAW.
    sysctls: priv ? { 'net.ipv4.ping_group_range': '0 0' } : {},
    loopbackUp: i.mode === 'none' ? 'lo' : undefined,
  };
}
