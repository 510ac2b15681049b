// `inspect --format`: podman runs the template over its Go inspect structs, so the
// JSON documents rrun builds are turned back into Go values by a small schema: which
// objects are structs (and their Go type names, which appear in error messages), which
// are maps, which strings are time.Time, which JSON keys differ from the Go field
// names, and which fields exist in Go although `omitempty` hides them in JSON.
import { goStruct, GoTime, type GoValue } from '../values.js';

export interface InspectSchema {
  /** Go type of the struct at a path ('' is the document; `[]` marks list elements). */
  structs: Readonly<Record<string, string>>;
  /** Paths whose objects are Go maps (missing key = `<no value>`, printed sorted). */
  maps: ReadonlySet<string>;
  /** Paths whose strings are time.Time. */
  times: ReadonlySet<string>;
  /** JSON key → Go field name, per struct path. */
  renames: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Go fields hidden by `omitempty`, with their zero values, per struct path. */
  zero: Readonly<Record<string, Readonly<Record<string, GoValue>>>>;
  /** Go field name of a JSON key not in `renames` (default: the key itself). */
  fieldName?: (key: string) => string;
  /** Structs whose `zero` entry lists every field in Go's order (so `%v` prints them all). */
  complete?: ReadonlySet<string>;
}

function convert(schema: InspectSchema, value: unknown, path: string): GoValue {
  if (value === null || value === undefined) {
    return schema.maps.has(path) ? {} : null;
  }
  if (Array.isArray(value)) return value.map((e) => convert(schema, e, `${path}[]`));
  if (typeof value === 'string' && schema.times.has(path)) return GoTime.parse(value) ?? value;
  if (typeof value !== 'object') return value as GoValue;
  const entries = Object.entries(value as Record<string, unknown>);
  const prefix = path === '' ? '' : `${path}.`;
  if (schema.maps.has(path)) return Object.fromEntries(entries.map(([k, v]) => [k, convert(schema, v, `${prefix}${k}`)]));
  const renames = schema.renames[path] ?? {};
  const fields: Record<string, GoValue> = {};
  const jsonNames: Record<string, string> = {};
  for (const [k, v] of entries) {
    const field = renames[k] ?? schema.fieldName?.(k) ?? k;
    if (field !== k) jsonNames[field] = k;
    fields[field] = convert(schema, v, `${prefix}${field}`);
  }
  const hidden = Object.entries(schema.zero[path] ?? {}).filter(([k]) => !Object.hasOwn(fields, k));
  const order = schema.complete?.has(path) === true ? Object.keys(schema.zero[path] ?? {}) : undefined;
  const struct = goStruct(schema.structs[path] ?? 'struct {}', fields, { jsonNames, ...(order === undefined ? {} : { order }) });
  for (const [k, v] of hidden) Object.defineProperty(struct, k, { value: v, enumerable: false });
  return struct;
}

/** One inspect document as the Go value podman's template would see. */
export function inspectValue(schema: InspectSchema, doc: unknown): GoValue {
  return convert(schema, doc, '');
}

/**
 * podman's inspectNormalize: `{{.Id}}` means `.ID`, and a few renamed fields keep
 * their old names (`.ImageID` → `.Image`, `.Src`/`.Dst` of mounts).
 */
export function normalizeInspectFormat(format: string, image: boolean): string {
  let f = format.replace(/\{\{\s*\.Id\s*\}\}/g, '{{.ID}}');
  const pairs: [string, string][] = [['.Src', '.Source'], ['.Dst', '.Destination'], ['.ImageID', '.Image']];
  if (image) pairs.push(['.Config.Healthcheck', '.HealthCheck']);
  // strings.NewReplacer semantics: one left-to-right pass, no re-replacing.
  const re = new RegExp(pairs.map(([from]) => from.replace(/\./g, '\\.')).join('|'), 'g');
  f = f.replace(re, (m) => pairs.find(([from]) => from === m)?.[1] ?? m);
  return f;
}

const historyRenames = { created: 'Created', created_by: 'CreatedBy', author: 'Author', comment: 'Comment', empty_layer: 'EmptyLayer' };

export const imageInspectSchema: InspectSchema = {
  structs: {
    '': 'interface {}',
    Config: '*v1.ImageConfig',
    RootFS: '*inspect.RootFS',
    GraphDriver: '*define.DriverData',
    'History[]': 'v1.History',
    HealthCheck: '*manifest.Schema2HealthConfig',
  },
  maps: new Set(['Labels', 'Annotations', 'Config.Labels', 'Config.Volumes', 'Config.ExposedPorts', 'GraphDriver.Data']),
  times: new Set(['Created', 'History[].Created']),
  renames: { '': { Id: 'ID' }, 'History[]': historyRenames },
  zero: {
    '': { Parent: '', Comment: '', Version: '', Author: '', User: '', Labels: {}, Annotations: {}, HealthCheck: null, NamesHistory: [] },
    Config: { User: '', ExposedPorts: {}, Env: [], Entrypoint: [], Cmd: [], Volumes: {}, WorkingDir: '', Labels: {}, StopSignal: '', ArgsEscaped: false },
    'History[]': { Created: null, CreatedBy: '', Author: '', Comment: '', EmptyLayer: false },
    GraphDriver: { Data: {} },
  },
  complete: new Set(['History[]']),
};

export const containerInspectSchema: InspectSchema = {
  structs: {
    '': 'interface {}',
    State: '*define.InspectContainerState',
    'State.Health': 'define.HealthCheckResults',
    Config: '*define.InspectContainerConfig',
    HostConfig: '*define.InspectContainerHostConfig',
    NetworkSettings: '*define.InspectNetworkSettings',
    GraphDriver: '*define.DriverData',
    'Mounts[]': 'define.InspectMount',
  },
  maps: new Set([
    'Config.Labels', 'Config.Annotations', 'GraphDriver.Data', 'NetworkSettings.Ports', 'NetworkSettings.Networks',
    'HostConfig.PortBindings', 'HostConfig.Sysctls', 'HostConfig.Tmpfs', 'HostConfig.StorageOpt',
  ]),
  times: new Set(['Created', 'State.StartedAt', 'State.FinishedAt', 'State.CheckpointedAt', 'State.RestoredAt']),
  renames: { '': { Id: 'ID' } },
  zero: {
    '': {
      Path: '', Args: [], ImageDigest: '', ImageName: '', Rootfs: '', Pod: '', ResolvConfPath: '', HostnamePath: '',
      HostsPath: '', StaticDir: '', OCIConfigPath: '', OCIRuntime: '', ConmonPidFile: '', PidFile: '', RestartCount: 0,
      Driver: '', MountLabel: '', ProcessLabel: '', AppArmorProfile: '', EffectiveCaps: [], BoundingCaps: [], ExecIDs: [],
      Mounts: [], Dependencies: [], Namespace: '', IsInfra: false, IsService: false,
    },
    State: { OOMKilled: false, Dead: false, Error: '', ConmonPid: 0, Restarting: false, Paused: false },
    Config: { Labels: {}, Annotations: {}, Env: [], Cmd: [], Entrypoint: '', WorkingDir: '', User: '' },
  },
};

// rrun's `info` document uses podman's lower-camel JSON keys; the Go names are the
// same words capitalised, with Go's initialisms.
const initialisms: Record<string, string> = {
  idMappings: 'IDMappings', uidmap: 'UIDMap', gidmap: 'GIDMap', container_id: 'ContainerID', host_id: 'HostID',
  ociRuntime: 'OCIRuntime', uid: 'UID', gid: 'GID', os: 'OS',
};

export const infoSchema: InspectSchema = {
  structs: { '': '*define.Info', Host: '*define.HostInfo', Store: '*define.StoreInfo', Version: 'define.Version' },
  maps: new Set(['Store.GraphStatus']),
  times: new Set(),
  renames: {},
  zero: {},
  fieldName: (key) => initialisms[key] ?? key.charAt(0).toUpperCase() + key.slice(1),
};

/** The error prefix podman's inspect puts before a template failure. */
export const inspectErrorPrefix = 'inspecting object: printing inspect output: ';
