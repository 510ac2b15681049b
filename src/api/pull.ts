// `rrun pull` as a library function: podman's pull resolution (short names through
// aliases and unqualified-search registries, registries.conf mirrors, insecure and
// blocked registries), credentials from auth.json, then src/image/pull-image.ts for the
// first source that has the image.
import { homedir, userInfo } from 'node:os';
import { RrunError } from '../../oci/errors.js';
import { formatReference, parseReference, type ImageReference } from '../../oci/reference.js';
import { subidMapping, type IdMapping } from '../../helpers/idmap.js';
import { storePaths } from '../../storage/paths.js';
import { defaultRegistriesHost, findRegistry, loadRegistriesConfig, pullSources, type RegistriesConfig } from '../config/registries.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { pullCandidates } from '../image/shortnames.js';
import { pullImage, type PullEnv, type Pulled } from '../image/pull-image.js';
import { wantedPlatform } from '../image/pull-platform.js';
import { RegistryClient } from '../registry/client.js';
import { findCredentials, processAuthHost, type Credentials } from '../registry/credentials.js';
import { Progress, progressMode } from '../registry/progress.js';
import { overlayMode } from '../runtime/rootfs.js';
import { removeTreeInUserns } from '../runtime/remove-tree.js';
import { readFileSync } from 'node:fs';

export interface PullOptions extends GlobalOptions {
  /** false: allow plain http and skip TLS verification (podman --tls-verify=false). */
  tlsVerify?: boolean | undefined;
  platform?: string | undefined;
  os?: string | undefined;
  arch?: string | undefined;
  variant?: string | undefined;
  quiet?: boolean | undefined;
  authfile?: string | undefined;
  /** `USER[:PASSWORD]` (podman --creds). */
  creds?: string | undefined;
  /** Where progress goes (default: stderr, bars on a TTY). */
  progress?: Progress | undefined;
  /** Layers downloaded at once. */
  parallel?: number | undefined;
}

export interface PullResult extends Pulled {
  /** The name the image was stored under. */
  name: string;
}

export function parseCreds(creds: string | undefined): Credentials | undefined {
  if (creds === undefined) return undefined;
  const i = creds.indexOf(':');
  return i < 0 ? { username: creds, password: '' } : { username: creds.slice(0, i), password: creds.slice(i + 1) };
}

function idmap(): IdMapping {
  const me = userInfo();
  return subidMapping({ name: me.username, uid: me.uid, gid: me.gid });
}

export function pullEnv(ctx: Context, o: PullOptions, progress: Progress): PullEnv {
  const paths = storePaths(ctx.storage);
  const map = idmap();
  let hasMountProgram: string | null = null;
  try {
    hasMountProgram = readFileSync(`${paths.driverHome}/.has-mount-program`, 'utf8').trim();
  } catch {
    hasMountProgram = null;
  }
  const fuse = overlayMode(ctx.storage.driverOptions, hasMountProgram).kind === 'fuse';
  return {
    paths,
    idmap: map,
    whiteouts: fuse ? 'aufs' : 'overlay',
    opaqueXattr: ctx.host.uid === 0 ? 'trusted.overlay.opaque' : 'user.overlay.opaque',
    progress,
    removeTree: (dir) => removeTreeInUserns(dir, map),
    platform: wantedPlatform(o),
    parallel: o.parallel ?? 3,
  };
}

function blocked(ref: string): RrunError {
  return new RrunError({
    code: 'ERR_REGISTRY_BLOCKED',
    message: `registry for ${ref} is blocked in registries.conf`,
    subject: ref,
    hint: 'remove `blocked = true` for this registry in registries.conf, or pull from another registry',
  });
}

interface Attempt {
  ref: ImageReference;
  /** Where the bytes come from (a mirror or the rewritten location). */
  from: ImageReference;
  insecure: boolean;
}

function attemptsFor(candidate: string, config: RegistriesConfig, tlsVerify: boolean | undefined): Attempt[] {
  const ref = parseReference(candidate);
  const entry = findRegistry(config, candidate);
  if (entry?.blocked) throw blocked(candidate);
  return pullSources(entry, candidate, ref.digest !== undefined).map((s) => ({
    ref,
    from: parseReference(s.reference),
    insecure: tlsVerify === false || (tlsVerify === undefined && s.insecure),
  }));
}

/** Pull `input`; resolves to the stored image's id and name. */
export async function pull(input: string, o: PullOptions = {}, ctx?: Context): Promise<PullResult> {
  const context = ctx ?? (await createContext(o));
  const config = loadRegistriesConfig({ ...defaultRegistriesHost, env: context.env, uid: context.host.uid });
  const progress = o.progress ?? new Progress(process.stderr, progressMode(o.quiet === true));
  const plan = pullCandidates(input, config, { tty: false });
  const env = pullEnv(context, o, progress);
  const auth = processAuthHost(context.env, context.host.uid, context.env['HOME'] ?? homedir());
  const errors: unknown[] = [];
  try {
    for (const candidate of plan.candidates) {
      for (const a of attemptsFor(candidate, config, o.tlsVerify)) {
        progress.line(`Trying to pull ${formatReference(a.ref)}...`);
        const repo = a.from.path;
        const credentials = parseCreds(o.creds) ?? findCredentials(auth, a.from.domain, repo, o.authfile);
        const client = new RegistryClient({ registry: a.from.domain, insecure: a.insecure, credentials, env: context.env });
        const name = formatReference(a.ref);
        try {
          const pulled = await pullImage(env, { client, repo, reference: a.from.digest ?? a.from.tag ?? 'latest', names: [name] });
          return { ...pulled, name };
        } catch (err) {
          errors.push(err);
          // A damaged or malicious image is not retried elsewhere: the user must see it.
          if (err instanceof RrunError && /DIGEST|LAYER|UNSAFE|SCHEMA1|FOREIGN|PLATFORM/.test(err.code)) throw err;
        }
      }
    }
  } finally {
    progress.end();
  }
  throw combined(input, errors);
}

function combined(input: string, errors: unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  const lines = errors.map((e) => `  * ${(e as Error).message}`).join('\n');
  return new RrunError({
    code: errors.some((e) => e instanceof RrunError && e.code === 'ERR_REGISTRY_UNAUTHORIZED') ? 'ERR_REGISTRY_UNAUTHORIZED' : 'ERR_PULL_FAILED',
    message: `${errors.length} errors occurred while pulling ${input}:\n${lines}`,
    subject: input,
    cause: errors[0],
  });
}
