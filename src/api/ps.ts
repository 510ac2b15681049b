// `rrun ps`: rrun's containers with podman's ps fields (pkg/domain/entities ListContainer).
import { createContext, type Context } from '../context.js';
import { humanDuration } from '../cli/output.js';
import type { ContainerState } from '../runtime/state.js';
import { portRanges, type PortRange } from '../runtime/port-list.js';
import { listContainers, type RrunContainer } from './container-store.js';
import { filtersWantAll, parsePsFilters, psPredicate, type PsFilters } from './ps-filter.js';
import { sortPsEntries, type PsSortKey } from './ps-sort.js';
import { layerChain, readSnapshot, type StoreSnapshot } from '../../storage/store.js';
import { layerDirs } from '../../storage/paths.js';
import { treeSize } from '../../storage/tree-size.js';

/** Go's zero time as Unix seconds: podman's ExitedAt/StartedAt for "never". */
export const GO_ZERO_UNIX = -62135596800;

export interface PsEntry {
  AutoRemove: boolean;
  Command: string[];
  CreatedAt: string;
  Exited: boolean;
  ExitedAt: number;
  ExitCode: number;
  Id: string;
  Image: string;
  ImageID: string;
  IsInfra: boolean;
  Labels: Record<string, string> | null;
  Mounts: string[];
  Names: string[];
  Namespaces: Record<string, string>;
  Networks: string[];
  Pid: number;
  Pod: string;
  PodName: string;
  /** podman's folded port ranges; null when nothing is published. */
  Ports: PortRange[] | null;
  /** Only with `size` (podman's --size); null otherwise. */
  Size: ContainerSize | null;
  StartedAt: number;
  State: string;
  Status: string;
  Created: number;
}

/** podman's ps size: the writable layer, and the image's layers below it. */
export interface ContainerSize {
  rootFsSize: number;
  rwSize: number;
}

export interface PsOptions {
  /** `-s`/`--size`: measure each container's layers (walks them: slow for big images). */
  size?: boolean;
  /** `--sort KEY` (see ps-sort.ts); the default is creation order. */
  sort?: PsSortKey;
  all?: boolean;
  /** `--filter KEY=VALUE` (see ps-filter.ts). */
  filters?: readonly string[];
  /** `-n`/`--last N`: the N newest (of every state); `-l` is `last: 1`. */
  last?: number;
}

const unix = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) : GO_ZERO_UNIX);
/** Durations use the exact time, as podman's do (not whole seconds). */
const since = (t: string | undefined, now: number): number => (t ? now - Date.parse(t) / 1000 : 0);

/** podman's STATUS column: `Up 5 seconds ago`, `Exited (3) 2 minutes ago`, `Created`. */
export function statusText(s: ContainerState, now: number = Date.now() / 1000): string {
  switch (s.status) {
    case 'running':
      return `Up ${humanDuration(since(s.startedAt, now))} ago`;
    case 'exited':
      return `Exited (${s.exitCode ?? 0}) ${humanDuration(since(s.finishedAt ?? s.startedAt, now))} ago`;
    default:
      return 'Created';
  }
}

/**
 * The sizes podman's --size shows: each layer's files (c/storage's DiffSize), the
 * container's own apart. `cache` keeps image layers' sizes across the containers of one listing.
 */
export function containerSize(snap: StoreSnapshot, c: RrunContainer, cache = new Map<string, number>()): ContainerSize {
  const top = c.record.layer;
  if (top === undefined) return { rootFsSize: 0, rwSize: 0 };
  const [rw, ...image] = layerChain(snap, top, c.id);
  const size = (id: string): number => {
    const known = cache.get(id) ?? treeSize(layerDirs(snap.paths, id).diff);
    cache.set(id, known);
    return known;
  };
  return { rootFsSize: image.reduce((n, l) => n + size(l.id), 0), rwSize: rw === undefined ? 0 : size(rw.id) };
}

export function psEntry(c: RrunContainer, now: number = Date.now() / 1000, size: ContainerSize | null = null): PsEntry {
  const s = c.state;
  const created = unix(c.created);
  // The ports chosen when it last started, else those asked for (podman lists them for stopped containers too).
  const ports = s.ports ?? c.config?.request.net?.publish ?? [];
  return {
    AutoRemove: c.config?.request.remove ?? false,
    Command: c.config?.spec.process.args ?? [],
    CreatedAt: `${humanDuration(since(c.created, now))} ago`,
    Exited: s.status === 'exited',
    ExitedAt: s.status === 'exited' ? unix(s.finishedAt) : GO_ZERO_UNIX,
    ExitCode: s.exitCode ?? 0,
    Id: c.id,
    Image: c.imageName,
    ImageID: c.imageId,
    IsInfra: false,
    Labels: null,
    Mounts: [],
    Names: [c.name],
    Namespaces: {},
    Networks: [],
    Pid: s.status === 'running' ? (s.pid ?? 0) : 0,
    Pod: '',
    PodName: '',
    Ports: ports.length > 0 ? portRanges(ports) : null,
    Size: size,
    StartedAt: unix(s.startedAt),
    State: s.status,
    Status: statusText(s, now),
    Created: created,
  };
}

/**
 * The containers the filters select, oldest first — podman 4.3's order (its default
 * `--sort created`); `ps`, `start --all` and `start -l` choose from it.
 */
export async function selectContainers(ctx: Context, filters: PsFilters = new Map()): Promise<RrunContainer[]> {
  const all = await listContainers(ctx);
  const matches = psPredicate(filters, all);
  return all.filter(matches).sort((a, b) => Date.parse(a.created) - Date.parse(b.created));
}

export async function ps(opts: PsOptions = {}, ctx?: Context): Promise<PsEntry[]> {
  const context = ctx ?? (await createContext());
  const filters = parsePsFilters(opts.filters ?? []);
  const everyState = (opts.all ?? false) || opts.last !== undefined || filtersWantAll(filters);
  const list = (await selectContainers(context, filters)).filter((c) => everyState || c.state.status === 'running');
  // -n keeps the newest n.
  const shown = opts.last !== undefined && opts.last >= 0 ? list.slice(Math.max(0, list.length - opts.last)) : list;
  const snap = opts.size === true ? await readSnapshot(context.storage) : undefined;
  const layerSizes = new Map<string, number>();
  const entries = shown.map((c) => psEntry(c, Date.now() / 1000, snap === undefined ? null : containerSize(snap, c, layerSizes)));
  return opts.sort === undefined ? entries : sortPsEntries(entries, opts.sort);
}
