// How podman lists a container's published ports: grouped by host address (in the order
// they first appear) and protocol (tcp, udp, sctp), each group by container port, and
// runs of consecutive ports on both sides folded into one range — the form of `ps`'s
// PORTS column and its JSON `Ports`; `port` prints the same order unfolded.
import type { PortMapping } from './request.js';

/** One entry of podman's ps JSON `Ports` (types.PortMapping). */
export interface PortRange {
  host_ip: string;
  container_port: number;
  host_port: number;
  range: number;
  protocol: string;
}

const protocolRank = (p: string): number => ['tcp', 'udp', 'sctp'].indexOf(p) + 1 || 4;

/** The mappings in podman's listing order. */
export function orderPorts(ports: readonly PortMapping[]): PortMapping[] {
  const ipRank = new Map<string, number>();
  for (const p of ports) if (!ipRank.has(p.hostIp)) ipRank.set(p.hostIp, ipRank.size);
  return [...ports].sort((a, b) =>
    (ipRank.get(a.hostIp) ?? 0) - (ipRank.get(b.hostIp) ?? 0) ||
    protocolRank(a.protocol) - protocolRank(b.protocol) ||
    a.containerPort - b.containerPort);
}

/** Folded into ranges where container and host ports both go up by one. */
export function portRanges(ports: readonly PortMapping[]): PortRange[] {
  const out: PortRange[] = [];
  for (const p of orderPorts(ports)) {
    const last = out[out.length - 1];
    if (last !== undefined && last.host_ip === p.hostIp && last.protocol === p.protocol &&
        last.container_port + last.range === p.containerPort && last.host_port + last.range === p.hostPort) {
      last.range++;
      continue;
    }
    out.push({ host_ip: p.hostIp, container_port: p.containerPort, host_port: p.hostPort, range: 1, protocol: p.protocol });
  }
  return out;
}

const span = (first: number, n: number): string => (n > 1 ? `${first}-${first + n - 1}` : String(first));

/** ps's PORTS column: `127.0.0.1:8080->80/tcp, 0.0.0.0:9000-9001->90-91/udp`. */
export function portsColumn(ranges: readonly PortRange[]): string {
  return ranges
    .map((r) => `${r.host_ip || '0.0.0.0'}:${span(r.host_port, r.range)}->${span(r.container_port, r.range)}/${r.protocol}`)
    .join(', ');
}
