// `rrun port CONTAINER [PRIVATE_PORT[/PROTO]]`: the ports a running rrun container
// publishes, as chosen when it started (host port 0 and `-P` resolved; a state written
// before rrun recorded them falls back to the saved `-p` request), as podman lists them.
// A container that is not running publishes nothing, as in podman.
import { RrunError } from '../../oci/errors.js';
import type { PortMapping } from '../runtime/request.js';
import { orderPorts } from '../runtime/port-list.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { findContainer } from './container-store.js';

export interface PublishedPort {
  containerPort: number;
  protocol: string;
  /** `0.0.0.0` when published on every address. */
  hostIp: string;
  hostPort: number;
}

function published(m: PortMapping): PublishedPort {
  return { containerPort: m.containerPort, protocol: m.protocol, hostIp: m.hostIp || '0.0.0.0', hostPort: m.hostPort };
}

/** `8080/tcp -> 127.0.0.1:18080` (podman's line for a whole listing). */
export function portLine(p: PublishedPort): string {
  return `${p.containerPort}/${p.protocol} -> ${p.hostIp}:${p.hostPort}`;
}

/** The published ports, all or those of `privatePort` (`80`, `80/udp`; tcp by default). */
export async function containerPorts(nameOrId: string, privatePort?: string, o: GlobalOptions = {}, ctx?: Context): Promise<PublishedPort[]> {
  const context = ctx ?? (await createContext(o));
  const c = await findContainer(context, nameOrId);
  if (c.state.status !== 'running') return [];
  const all = orderPorts(c.state.ports ?? c.config?.request.net?.publish ?? []).map(published);
  if (privatePort === undefined) return all;
  const [port = '', proto = 'tcp'] = privatePort.split('/');
  const found = all.filter((p) => String(p.containerPort) === port && p.protocol === proto);
  if (found.length === 0) {
    throw new RrunError({
      code: 'ERR_PORT_NOT_PUBLISHED',
      message: `failed to find published port "${port}/${proto}"`,
      subject: privatePort,
      hint: `see \`rrun port ${nameOrId}\` for the ports it publishes`,
    });
  }
  return found;
}
