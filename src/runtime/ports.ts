// Published ports: podman's `-p [[hostIP:][hostPort]:]containerPort[/protocol]` syntax
// (ranges, bracketed IPv6), `-P` from the image's ExposedPorts, and the checks that must
// fail before anything starts: a host port below net.ipv4.ip_unprivileged_port_start,
// or one already in use. Parsing is pure; the checks get the host injected.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { RrunError } from '../../oci/errors.js';
import type { PortMapping, PortProtocol } from './request.js';

const PROTOCOLS: Readonly<Record<string, PortProtocol>> = { tcp: 'tcp', udp: 'udp' };

function publishError(spec: string, why: string): RrunError {
  return new RrunError({
    code: 'ERR_INVALID_PUBLISH',
    message: `invalid port mapping "${spec}": ${why}`,
    subject: spec,
    hint: 'use -p [hostIP:][hostPort:]containerPort[/tcp|udp], e.g. -p 127.0.0.1:8080:80 or -p 8000-8001:80-81/udp',
  });
}

/** `80` or `80-90` → [first, count]; `allowZero` for the host side (0 = choose a free port). */
function portRange(text: string, spec: string, allowZero: boolean): [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (m === null) throw publishError(spec, `"${text}" is not a port or a port range`);
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  const min = allowZero && m[2] === undefined ? 0 : 1;
  if (first < min || last > 65535 || first > 65535) throw publishError(spec, `port ${text} is out of range 1-65535`);
  if (last < first) throw publishError(spec, `range ${text} ends before it starts`);
  return [first, last - first + 1];
}

/** Splits `ip:host:container` with a bracketed IPv6 address first. */
function fields(body: string, spec: string): { ip: string; host: string | undefined; container: string } {
  let ip = '';
  let rest = body;
  if (body.startsWith('[')) {
    const end = body.indexOf(']:');
    if (end < 0) throw publishError(spec, 'an IPv6 host address is written [ADDRESS]:hostPort:containerPort');
    ip = body.slice(1, end);
    rest = body.slice(end + 2);
    const parts = rest.split(':');
    if (parts.length !== 2) throw publishError(spec, 'expected hostPort:containerPort after the IPv6 address');
    return { ip, host: parts[0], container: parts[1] as string };
  }
  const parts = rest.split(':');
  if (parts.length === 1) return { ip, host: undefined, container: parts[0] as string };
  if (parts.length === 2) return { ip, host: parts[0], container: parts[1] as string };
  if (parts.length === 3) return { ip: parts[0] as string, host: parts[1], container: parts[2] as string };
  throw publishError(spec, 'too many colons');
}

function checkIp(ip: string, spec: string): void {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4 !== null && v4.slice(1).every((o) => Number(o) <= 255)) return;
  if (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip)) return;
  throw publishError(spec, `"${ip}" is not an IP address`);
}

/** One `-p` value → one mapping per port and protocol (ranges expanded, host port 0 = free). */
export function parsePublish(spec: string): PortMapping[] {
  const slash = spec.lastIndexOf('/');
  const body = slash < 0 ? spec : spec.slice(0, slash);
  const protoText = slash < 0 ? 'tcp' : spec.slice(slash + 1);
  const protocols = protoText.split(',').map((p) => {
    const proto = PROTOCOLS[p.toLowerCase()];
    if (proto === undefined) throw publishError(spec, `protocol "${p}" is not supported (tcp or udp)`);
    return proto;
  });
  const f = fields(body, spec);
  if (f.ip !== '') checkIp(f.ip, spec);
  const [cFirst, count] = portRange(f.container, spec, false);
  const [hFirst, hCount] = f.host === undefined || f.host === '' ? [0, count] : portRange(f.host, spec, true);
  if (hCount !== count && !(hFirst === 0 && hCount === 1)) {
    throw publishError(spec, `host range has ${hCount} ports but the container range ${count}`);
  }
  const out: PortMapping[] = [];
  for (const protocol of protocols) {
    for (let i = 0; i < count; i++) {
      out.push({ hostIp: f.ip, hostPort: hFirst === 0 ? 0 : hFirst + i, containerPort: cFirst + i, protocol });
    }
  }
  return out;
}

/** `-P`: the image's ExposedPorts (`80/tcp`, `53/udp`, `8000-8001`) on free host ports. */
export function exposedPorts(exposed: Readonly<Record<string, object>> | undefined): PortMapping[] {
  return Object.keys(exposed ?? {}).flatMap((key) => parsePublish(key));
}

/** The host as port checks see it (real sockets in production, tables in unit tests). */
export interface PortHost {
  /** net.ipv4.ip_unprivileged_port_start. */
  unprivilegedPortStart(): Promise<number>;
  /** Bind `ip:port` (0 = any free port), close again, return the port bound; rejects with the errno error. */
  probeBind(protocol: PortProtocol, ip: string, port: number): Promise<number>;
}

function privilegedError(m: PortMapping, start: number): RrunError {
  const better = 8000 + m.containerPort < 65536 ? 8000 + m.containerPort : 8080;
  return new RrunError({
    code: 'ERR_PRIVILEGED_PORT',
    message: `cannot publish privileged host port ${m.hostPort}/${m.protocol}: ports below ${start} need CAP_NET_BIND_SERVICE on the host (net.ipv4.ip_unprivileged_port_start=${start})`,
    subject: String(m.hostPort),
    hint: `choose a port >= ${start}, e.g. -p ${m.hostIp ? `${m.hostIp}:` : ''}${better}:${m.containerPort}; an administrator can lower it with sysctl -w net.ipv4.ip_unprivileged_port_start=${m.hostPort}`,
  });
}

function inUseError(m: PortMapping, err: unknown): RrunError {
  const code = (err as { code?: string }).code ?? String(err);
  const where = `${m.hostIp || '0.0.0.0'}:${m.hostPort}/${m.protocol}`;
  return new RrunError({
    code: code === 'EADDRINUSE' ? 'ERR_PORT_IN_USE' : 'ERR_PORT_BIND',
    message: code === 'EADDRINUSE'
      ? `cannot publish ${where}: the address is already in use`
      : `cannot publish ${where}: bind failed with ${code}`,
    subject: where,
    hint: code === 'EADDRINUSE' ? 'stop what listens there (ss -lntup shows it) or publish another host port' : 'check the host IP given to -p: it must be an address of this host',
    cause: err,
  });
}

/**
 * Chooses free ports for host port 0 and refuses privileged or busy ones, so the
 * error comes before the container exists. Duplicate host ports are refused too.
 */
export async function checkPorts(ports: readonly PortMapping[], host: PortHost): Promise<PortMapping[]> {
  if (ports.length === 0) return [];
  const start = await host.unprivilegedPortStart();
  const out: PortMapping[] = [];
  const seen = new Set<string>();
  for (const m of ports) {
    if (m.hostPort !== 0 && m.hostPort < start) throw privilegedError(m, start);
    let hostPort: number;
    try {
      hostPort = await host.probeBind(m.protocol, m.hostIp, m.hostPort);
    } catch (err) {
      throw inUseError(m, err);
    }
    const key = `${m.protocol}/${hostPort}`;
    if (seen.has(key)) throw inUseError({ ...m, hostPort }, Object.assign(new Error('duplicate'), { code: 'EADDRINUSE' }));
    seen.add(key);
    out.push({ ...m, hostPort });
  }
  return out;
}

function probeTcp(ip: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: ip || '0.0.0.0', port, exclusive: true }, () => {
      const addr = server.address();
      server.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : port));
    });
  });
}

function probeUdp(ip: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    sock.once('error', reject);
    sock.bind({ address: ip || '0.0.0.0', port, exclusive: true }, () => {
      const bound = sock.address().port;
      sock.close(() => resolve(bound));
    });
  });
}

export const realPortHost: PortHost = {
  async unprivilegedPortStart() {
    try {
      return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
    } catch {
      return 1024;
    }
  },
  probeBind: (protocol, ip, port) => (protocol === 'tcp' ? probeTcp(ip, port) : probeUdp(ip, port)),
};
