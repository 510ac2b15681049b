// The /etc files a container gets bind-mounted: hosts, hostname and resolv.conf, built
// from the host's files the way podman builds them (containers/common etchosts and
// resolvconf). Pure.
import type { NetworkAddresses } from './network.js';
import type { HostEntry, NetworkMode } from './request.js';

export interface EtcFiles {
  hosts: string;
  hostname: string;
  /** Undefined: the image's own resolv.conf stays (podman does this for --network none). */
  resolvConf: string | undefined;
}

export interface EtcInput {
  network: NetworkMode;
  hostname: string;
  containerName: string;
  hostHosts: string | undefined;
  /** The host's resolv.conf (systemd-resolved's upstream file when the stub is configured). */
  hostResolvConf: string | undefined;
  addresses: NetworkAddresses;
  /** `--add-host`, in order; they come first like podman's. */
  addHosts?: readonly HostEntry[];
  /** `--dns` (replaces every nameserver), `--dns-search` (`.` = none), `--dns-option`. */
  dns?: readonly string[];
  dnsSearch?: readonly string[];
  dnsOptions?: readonly string[];
}

/** podman re-writes the base file's entries as `IP<TAB>names`, without comments. */
function baseEntries(text: string): string {
  return text.split('\n').flatMap((line) => {
    const [ip, ...names] = line.replace(/#.*$/, '').trim().split(/\s+/);
    return ip && names.length > 0 ? [`${ip}\t${names.join(' ')}\n`] : [];
  }).join('');
}

/**
 * podman: --add-host entries, the host's /etc/hosts as the base, host.containers.internal
 * (when the host has an address the container can use), then the container's own line.
 */
function hostsFile(input: EtcInput): string {
  const extra = (input.addHosts ?? []).map((h) => `${h.ip}\t${h.name}\n`).join('');
  const base = baseEntries(input.hostHosts ?? '127.0.0.1 localhost\n::1 localhost\n');
  const { hostIp, containerIp } = input.addresses;
  const internal = hostIp !== undefined ? `${hostIp}\thost.containers.internal\n` : '';
  return `${extra}${base}${internal}${containerIp}\t${input.hostname} ${input.containerName}\n`;
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

/** The keywords of resolv.conf(5) that podman carries over; comments and others go. */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const line of text.split('\n')) {
    const [key, ...values] = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && values[0] !== undefined) out.nameservers.push(values[0]);
    else if (key === 'search' || key === 'domain') out.search = values;
    else if (key === 'options') out.options.push(...values);
  }
  return out;
}

/** A loopback resolver on the host is unreachable from the container's own netns. */
const isLoopback = (ip: string): boolean => /^127\./.test(ip) || ip === '::1';

/** podman's fallback when nothing usable remains (containers/common resolvconf). */
const FALLBACK_DNS = ['8.8.8.8', '8.8.4.4'];

export function resolvConfFor(input: EtcInput): string | undefined {
  if (input.network === 'none' && (input.dns ?? []).length === 0) return undefined;
  const host = parseResolvConf(input.hostResolvConf ?? '');
  let servers: string[];
  if ((input.dns ?? []).length > 0) servers = [...(input.dns ?? [])];
  else if (input.network === 'host') servers = host.nameservers;
  else {
    const kept = host.nameservers.filter((ip) => !isLoopback(ip));
    const helper = input.addresses.dns;
    servers = helper !== undefined ? [helper, ...kept] : kept.length > 0 ? kept : FALLBACK_DNS;
  }
  const search = (input.dnsSearch ?? []).length > 0 ? (input.dnsSearch ?? []).filter((s) => s !== '.') : host.search;
  const options = (input.dnsOptions ?? []).length > 0 ? [...(input.dnsOptions ?? [])] : host.options;
  return [
    ...(search.length > 0 ? [`search ${search.join(' ')}`] : []),
    ...servers.map((s) => `nameserver ${s}`),
    ...(options.length > 0 ? [`options ${options.join(' ')}`] : []),
  ].map((l) => `${l}\n`).join('');
}

export function etcFiles(input: EtcInput): EtcFiles {
  return {
    hosts: hostsFile(input),
    // podman writes the name without a newline.
    hostname: input.hostname,
    resolvConf: resolvConfFor(input),
  };
}
