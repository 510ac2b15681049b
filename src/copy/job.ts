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
