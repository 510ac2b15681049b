// The container's root filesystem: an overlay of the image's layers (by their `l/`
// short links, as podman mounts them) under the container's writable layer, mounted
// by the kernel with `userxattr`, or by fuse-overlayfs when the kernel cannot.
import { readFileSync } from 'node:fs';
import { layerDirs, type StorePaths } from '../../storage/paths.js';
import type { LayerRecord } from '../../storage/records.js';
import type { RootfsSpec } from './plan.js';

export type OverlayMode = { kind: 'native' } | { kind: 'fuse'; program: string };

/** podman's `mount_program` setting (storage.conf or --storage-opt) or the store's mode file. */
export function overlayMode(driverOptions: readonly string[], hasMountProgram: string | null): OverlayMode {
  const opt = driverOptions.find((o) => o.startsWith('overlay.mount_program='));
  if (opt !== undefined) return { kind: 'fuse', program: opt.slice('overlay.mount_program='.length) };
  if (hasMountProgram === 'true') return { kind: 'fuse', program: 'fuse-overlayfs' };
  return { kind: 'native' };
}

/** `<graphroot>/overlay/l/<link>` for each layer, top first. */
export function lowerLinks(paths: StorePaths, chain: readonly LayerRecord[]): string[] {
  return chain.map((layer) => `${paths.linkDir}/${readFileSync(layerDirs(paths, layer.id).link, 'utf8').trim()}`);
}

/**
 * The overlay for a container's layer. `volatile` (podman's choice for `--rm` containers):
 * no fsync to the upper layer, and none when the overlay goes away, where the kernel would
 * otherwise sync the whole file system under the store (overlayfs' sync_fs on unmount).
 * A volatile upper layer must never be mounted again, which a removed container never is.
 */
export function overlayRootfs(
  paths: StorePaths,
  lowers: readonly string[],
  containerLayer: string,
  mode: OverlayMode,
  readonly: boolean,
  volatile = false,
): RootfsSpec {
  const dirs = layerDirs(paths, containerLayer);
  if (mode.kind === 'native') {
    return {
      kind: 'overlay', lowerdirs: [...lowers], upperdir: dirs.diff, workdir: dirs.work, mountpoint: dirs.merged, readonly,
      ...(volatile ? { options: ['volatile'] } : {}),
    };
  }
  const data = `lowerdir=${lowers.join(':')},upperdir=${dirs.diff},workdir=${dirs.work}${volatile ? ',volatile' : ''}`;
  return { kind: 'fuse-overlayfs', argv: [mode.program, '-o', data, dirs.merged], mountpoint: dirs.merged, readonly };
}
