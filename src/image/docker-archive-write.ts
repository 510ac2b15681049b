// Writing a docker-archive as c/image's tarfile writer (podman save) does, member for
// member: per image its layer tars `<diffID hex>.tar` (each once per archive), the
// config `<config hex>.json`, then per layer the legacy `<v1 id>/{layer.tar → ../…,
// VERSION, json}`; at the end `manifest.json` and `repositories`. A v1 id is the sha256
// of the layer's legacy config with `layer_id` = the chain id, keys sorted (Go map
// order); the top one carries the image's architecture, config, created, … fields.
import { createHash } from 'node:crypto';
import { goCompactJson } from '../../storage/record-file.js';
import type { TarOut } from './archive-tar-out.js';

const TOP_FIELDS = ['architecture', 'config', 'container', 'container_config', 'created', 'docker_version', 'os'] as const;

const hex = (d: string): string => d.replace(/^sha256:/, '');
const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Go's json.Marshal of a map: keys sorted, values as given. */
function sortedJson(m: Record<string, unknown>): string {
  return `{${Object.keys(m).sort().map((k) => `${goCompactJson(k)}:${goCompactJson(m[k] ?? null)}`).join(',')}}`;
}

export interface LegacyLayer {
  id: string;
  json: Buffer;
}

/** The legacy per-layer entries of one image (base first). */
export function legacyLayers(config: Buffer, diffIds: readonly string[]): LegacyLayer[] {
  const doc = JSON.parse(config.toString('utf8')) as Record<string, unknown>;
  const out: LegacyLayer[] = [];
  let chain = '';
  for (const [i, diffId] of diffIds.entries()) {
    const layer: Record<string, unknown> = {};
    const parent = out.at(-1)?.id;
    if (parent !== undefined) layer['parent'] = parent;
    if (i === diffIds.length - 1) for (const f of TOP_FIELDS) layer[f] = doc[f] ?? null;
    chain = chain === '' ? diffId : `sha256:${sha256Hex(`${chain} ${diffId}`)}`;
    const id = sha256Hex(sortedJson({ ...layer, layer_id: chain }));
    out.push({ id, json: Buffer.from(sortedJson({ ...layer, id })) });
  }
  return out;
}

export interface DockerSaveImage {
  config: Buffer;
  configDigest: string;
  diffIds: string[];
  /** Sizes of the layer tars (the layers' diff sizes). */
  sizes: number[];
  repoTags: string[];
}

/** `repositories`: name → tag → top v1 id, as a JSON object (Go map order). */
function repositoriesJson(entries: readonly [string, string][]): string {
  const repos: Record<string, Record<string, string>> = {};
  for (const [tagged, id] of entries) {
    const colon = tagged.lastIndexOf(':');
    const name = tagged.slice(0, colon);
    repos[name] = { ...(repos[name] ?? {}), [tagged.slice(colon + 1)]: id };
  }
  return sortedJson(Object.fromEntries(Object.entries(repos).map(([k, v]) => [k, JSON.parse(sortedJson(v)) as unknown])));
}

export async function writeDockerArchive(
  out: TarOut,
  images: readonly DockerSaveImage[],
  layerTar: (image: number, layer: number) => AsyncIterable<Buffer>,
): Promise<void> {
  const sent = new Set<string>();
  const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  const repos: [string, string][] = [];
  for (const [n, img] of images.entries()) {
    for (const [i, d] of img.diffIds.entries()) {
      if (sent.has(d)) continue;
      await out.stream(`${hex(d)}.tar`, img.sizes[i] as number, layerTar(n, i));
      sent.add(d);
    }
    await out.file(`${hex(img.configDigest)}.json`, img.config);
    const legacy = legacyLayers(img.config, img.diffIds);
    for (const [i, l] of legacy.entries()) {
      if (sent.has(l.id)) continue;
      await out.symlink(`${l.id}/layer.tar`, `../${hex(img.diffIds[i] as string)}.tar`);
      await out.file(`${l.id}/VERSION`, Buffer.from('1.0'));
      await out.file(`${l.id}/json`, l.json);
      sent.add(l.id);
    }
    manifest.push({ Config: `${hex(img.configDigest)}.json`, RepoTags: img.repoTags, Layers: img.diffIds.map((d) => `${hex(d)}.tar`) });
    const top = legacy.at(-1)?.id;
    if (top !== undefined) for (const t of img.repoTags) repos.push([t, top]);
  }
  await out.file('manifest.json', Buffer.from(goCompactJson(manifest)));
  await out.file('repositories', Buffer.from(repositoriesJson(repos)));
}
