// The test user's containers configuration, written before any podman command runs.
//
// - storage.conf: podman 4.3 may settle on `vfs` at first use when no driver is named,
//   and then keeps it; rrun reads the overlay store, so name the driver up front.
// - containers.conf: cgroups are hybrid on the CI machines and crun refuses hybrid
//   mode, so runc with the cgroupfs manager (there is no systemd user session under
//   runuser either); the journald events logger needs that session too.
import { chownSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONTAINERS_CONF = `# Written by rrun's test bed (test/lib/podman-config.ts); rewritten on every run.
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

export const STORAGE_CONF = `# Written by rrun's test bed (test/lib/podman-config.ts); rewritten on every run.
[storage]
driver = "overlay"
`;

export interface Owner {
  uid: number;
  gid: number;
}

/** Creates each missing directory from `base` down to `dir` (inclusive), owned by `owner`. */
export function mkdirOwned(base: string, rel: string, owner: Owner | undefined, mode = 0o755): string {
  let path = base;
  for (const part of rel.split('/').filter((p) => p !== '')) {
    path = join(path, part);
    if (!existsSync(path)) {
      mkdirSync(path, { mode });
      if (owner !== undefined) chownSync(path, owner.uid, owner.gid);
    }
  }
  return path;
}

/** Writes the file only when its content differs, so a cached run touches nothing. */
export function writeIfChanged(path: string, content: string, owner: Owner | undefined): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return;
  writeFileSync(path, content, { mode: 0o644 });
  if (owner !== undefined) chownSync(path, owner.uid, owner.gid);
}

/** Writes containers.conf and storage.conf under `configHome`/containers. */
export function writePodmanConfig(configHome: string, owner: Owner | undefined): void {
  const dir = mkdirOwned('/', join(configHome, 'containers'), owner);
  writeIfChanged(join(dir, 'containers.conf'), CONTAINERS_CONF, owner);
  writeIfChanged(join(dir, 'storage.conf'), STORAGE_CONF, owner);
}

/**
 * For an isolated store of the current user: copy the user's own registry and
 * policy configuration (never auth files or storage) so image names resolve the
 * same way, once; later runs keep what is there.
 */
export function copyUserRegistryConfig(fromConfigHome: string, toConfigHome: string): void {
  for (const name of ['registries.conf', 'registries.conf.d', 'policy.json', 'mounts.conf']) {
    const src = join(fromConfigHome, 'containers', name);
    const dst = join(toConfigHome, 'containers', name);
    if (existsSync(src) && !existsSync(dst)) cpSync(src, dst, { recursive: true });
  }
}
