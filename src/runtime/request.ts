// What a caller asks for when running a container, already decoded and validated: the
// library's `run()` options and the CLI's flags both become a RunRequest.
import type { ResourceLimits } from './cgroups.js';
import type { SecurityRequest } from '../security/container-security.js';

/** `--network`: a private netns with slirp4netns or pasta, loopback only, or the host's. */
export type NetworkMode = 'slirp4netns' | 'pasta' | 'none' | 'host';

export type PortProtocol = 'tcp' | 'udp';

/** One published port (ranges are expanded): host `hostIp:hostPort` → container `containerPort`. */
export interface PortMapping {
  /** '' means every address (podman's default, 0.0.0.0). */
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: PortProtocol;
}

export interface HostEntry {
  name: string;
  ip: string;
}

/** Everything about the network besides the mode; all lists in command-line order. */
export interface NetworkRequest {
  /** Helper options after `MODE:` (`allow_host_loopback=true`, pasta arguments). */
  options: string[];
  /** `-p`, ranges expanded; a host port of 0 is chosen free at start, like podman. */
  publish: PortMapping[];
  /** `-P`: publish the image's ExposedPorts on free host ports. */
  publishAll: boolean;
  addHosts: HostEntry[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
}

export const NO_NETWORK_EXTRAS: NetworkRequest = {
  options: [], publish: [], publishAll: false, addHosts: [], dns: [], dnsSearch: [], dnsOptions: [],
};

export interface VolumeRequest {
  /** Absolute host path (for a named or anonymous volume: its `_data`, filled in by run). */
  source: string;
  /** Absolute path in the container. */
  destination: string;
  readonly: boolean;
  /** A named volume (`-v NAME:/path`, `--mount type=volume`), or an anonymous one (`-v /path`, image VOLUME; named by run). */
  volume?: { name: string; anonymous: boolean } | undefined;
  /** `:U`: chown the source to the container's user (inside the user namespace). */
  chown?: boolean | undefined;
  /** `nocopy`: do not copy the image's content into a new volume. */
  noCopy?: boolean | undefined;
}

export interface TmpfsRequest {
  destination: string;
  /** Mount options as given (`size=64m,mode=1777`). */
  options: string[];
}

export interface RunRequest {
  /** Image name or id; undefined with `rootfs`. */
  image?: string | undefined;
  /** `--pull` and the options of the implicit pull (src/image/pull-policy.ts). */
  pull?: import('../image/pull-policy.js').ImagePull | undefined;
  /** A plain directory to run, overlaid read-only (`--rootfs`). */
  rootfs?: string | undefined;
  /** The command and its arguments (after IMAGE). Empty: the image's Cmd. */
  command: string[];
  /** `--entrypoint`: replaces the image's Entrypoint (and its Cmd). */
  entrypoint?: string[] | undefined;
  /** `-e`/`--env-file` results in order; later entries win. */
  env: string[];
  workdir?: string | undefined;
  user?: string | undefined;
  name?: string | undefined;
  hostname?: string | undefined;
  remove: boolean;
  interactive: boolean;
  readOnly: boolean;
  volumes: VolumeRequest[];
  tmpfs: TmpfsRequest[];
  network: NetworkMode;
  /** Absent: no ports, hosts or DNS settings (a request built by hand, e.g. for spec tests). */
  net?: NetworkRequest | undefined;
  /** Map only the user's own id (no /etc/subuid range): `--userns=single`. */
  singleIdMap: boolean;
  /** --cap-add/--cap-drop/--privileged/--security-opt; absent: podman's defaults. */
  security?: SecurityRequest | undefined;
  /** --memory/--cpus/--pids-limit; refused where no delegated cgroup v2 exists. */
  limits?: ResourceLimits | undefined;
}
