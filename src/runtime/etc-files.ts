// The /etc files a container gets bind-mounted: hosts, hostname and resolv.conf, built
// from the host's files the way podman 4.3 builds them. Pure.
import type { NetworkMode } from './request.js';

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
  hostResolvConf: string | undefined;
}

/** podman: the host's /etc/hosts as the base, then the container's own name. */
function hostsFile(input: EtcInput): string {
  const base = (input.hostHosts ?? '127.0.0.1\tlocalhost\n::1\tlocalhost\n').replace(/\n*$/, '\n');
  return `${base}127.0.0.1\t${input.hostname} ${input.containerName}\n`;
}

export function etcFiles(input: EtcInput): EtcFiles {
  return {
    hosts: hostsFile(input),
    // podman writes the name without a newline.
    hostname: input.hostname,
    resolvConf: input.network === 'host' ? (input.hostResolvConf ?? '') : undefined,
  };
}
