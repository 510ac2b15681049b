// What the copy worker (worker-main.ts) is given and how it reports failure; separate
// so that importing it never runs the worker.
export const COPY_FAILURE = 'rrun-cp-worker: ';

export interface CopyJob {
  direction: 'in' | 'out';
  /** The container's root as the worker sees it (/proc/PID/root, or the mounted overlay). */
  root: string;
  containerPath: string;
  /** Host path, or `-` for a tar stream on stdin (in) or stdout (out). */
  hostPath: string;
  /** The container as the user named it, for podman's messages. */
  containerLabel: string;
  /** `in`: the owner of everything written (podman's -a: the container's user); absent: ids as read. */
  owner?: { uid: number; gid: number } | undefined;
}

/**
 * A volume's first use (podman's copy-up and chown): the image's content at
 * `containerPath` is copied into the empty `data` with its ids, and `data` takes the
 * source directory's mode and owner; without content there, `data` goes to `owner`.
 */
export interface VolumeInitJob {
  kind: 'volume-init';
  root: string;
  containerPath: string;
  data: string;
  copyUp: boolean;
  owner: { uid: number; gid: number };
}

/** `:U`: everything below `path` (not following links) to `uid:gid`. */
export interface ChownJob {
  kind: 'chown';
  path: string;
  uid: number;
  gid: number;
}

export type WorkerJob = (CopyJob & { kind?: 'copy' }) | VolumeInitJob | ChownJob;
