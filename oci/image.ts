// OCI image-spec types (and the Docker schema 2 equivalents), hand-written from the
// specification text, with small narrowing parsers. Pure: no I/O.
import { RrunError } from './errors.js';

export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  [unknownField: string]: unknown;
}

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
  [unknownField: string]: unknown;
}

/** The runtime part of an image config (`config` in the JSON). */
export interface ImageRuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: unknown;
  [unknownField: string]: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  config?: ImageRuntimeConfig;
  rootfs?: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
  /** Docker-only fields, present in schema 2 configs. */
  comment?: string;
  docker_version?: string;
  container_config?: ImageRuntimeConfig;
  [unknownField: string]: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(what: string, source: string, detail: string): RrunError {
  return new RrunError({
    code: 'ERR_INVALID_IMAGE',
    message: `invalid ${what} in ${source}: ${detail}`,
    subject: source,
  });
}

function parseJsonObject(bytes: Uint8Array | string, what: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (err) {
    throw invalid(what, source, (err as Error).message);
  }
  if (!isObject(doc)) throw invalid(what, source, 'not a JSON object');
  return doc;
}

/** Parse an image config, checking the fields rrun relies on. */
export function parseImageConfig(bytes: Uint8Array | string, source: string): ImageConfig {
  const doc = parseJsonObject(bytes, 'image config', source);
  const rootfs = doc['rootfs'];
  if (rootfs !== undefined && (!isObject(rootfs) || !Array.isArray(rootfs['diff_ids']))) {
    throw invalid('image config', source, '"rootfs.diff_ids" must be an array');
  }
  if (doc['config'] !== undefined && doc['config'] !== null && !isObject(doc['config'])) {
    throw invalid('image config', source, '"config" must be an object');
  }
  if (doc['history'] !== undefined && !Array.isArray(doc['history'])) {
    throw invalid('image config', source, '"history" must be an array');
  }
  return doc as ImageConfig;
}

/** Parse an image manifest (OCI or Docker schema 2). */
export function parseImageManifest(bytes: Uint8Array | string, source: string): ImageManifest {
  const doc = parseJsonObject(bytes, 'image manifest', source);
  if (!isObject(doc['config']) || !Array.isArray(doc['layers'])) {
    throw invalid('image manifest', source, 'missing "config" or "layers"');
  }
  return doc as ImageManifest;
}

/** The media type of a manifest: its own field, else inferred as c/image does. */
export function manifestMediaType(manifest: ImageManifest): string {
  if (typeof manifest.mediaType === 'string' && manifest.mediaType !== '') return manifest.mediaType;
  return manifest.config.mediaType === MediaType.DockerConfig ? MediaType.DockerManifest : MediaType.OciManifest;
}
