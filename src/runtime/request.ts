// What a caller asks for when running a container, already decoded and validated: the
// library's `run()` options and the CLI's flags both become a RunRequest.

export type NetworkMode = 'none' | 'host';

export interface VolumeRequest {
  /** Absolute host path. */
  source: string;
  /** Absolute path in the container. */
  destination: string;
  readonly: boolean;
}

export interface TmpfsRequest {
  destination: string;
  /** Mount options as given (`size=64m,mode=1777`). */
  options: string[];
}

export interface RunRequest {
  /** Image name or id; undefined with `rootfs`. */
  image?: string | undefined;
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
  /** Map only the user's own id (no /etc/subuid range): `--userns=single`. */
  singleIdMap: boolean;
}
