// `rrun save [-o FILE] [--format docker-archive|oci-archive] [-m] IMAGE…` as a library
// function. Images are resolved before anything is written; the layers are rebuilt
// bit for bit from tar-split (src/image/layer-export.ts) under a read lock on the
// layers, as c/storage's Diff holds one, so a concurrent rmi cannot pull files away.
// A failed save leaves no file behind.
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir, userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { subidMapping, type IdMapping } from '../../helpers/idmap.js';
import { withLocks } from '../../storage/lockfile.js';
import { layerDirs, storePaths, type StorePaths } from '../../storage/paths.js';
import type { ImageRecord, LayerRecord } from '../../storage/records.js';
import { layerChain, readSnapshot } from '../../storage/store.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { storeName } from '../image/archive-image.js';
import { TarOut, dockerStyle } from '../image/archive-tar-out.js';
import { writeDockerArchive, type DockerSaveImage } from '../image/docker-archive-write.js';
import { storedLayerTar } from '../image/layer-export.js';
import { resolveLocalImage } from '../image/local.js';
import { writeOciArchive } from '../image/oci-archive-write.js';
import { layerBlob } from '../image/push-layer.js';

export type SaveFormat = 'docker-archive' | 'oci-archive';

export interface SaveOptions extends GlobalOptions {
  /** The archive to write; `stdout` when missing. */
  output?: string | undefined;
  stdout?: Writable | undefined;
  format?: SaveFormat | undefined;
  /** `-m`: every argument is an image (else the others are extra tags of the first). */
  multiImage?: boolean | undefined;
}

interface Chosen {
  image: ImageRecord;
  chain: LayerRecord[];
  config: Buffer;
  repoTags: string[];
}

/** The name an archive records for what the user typed: none when it was an id. */
function tagFor(input: string, image: ImageRecord): string[] {
  if (image.id.startsWith(input.replace(/^sha256:/, ''))) return [];
  const wanted = storeName(input);
  const name = image.names?.find((n) => n === wanted) ?? image.names?.[0];
  return name !== undefined ? [name] : [];
}

async function choose(ctx: Context, inputs: readonly string[], multi: boolean): Promise<Chosen[]> {
  const snap = await readSnapshot(ctx.storage, { imageBigData: (i) => [`sha256:${i.id}`] });
  const pick = (input: string, extra: string[]): Chosen => {
    const image = resolveLocalImage(ctx, snap, input);
    const config = snap.bigData.get(image.id)?.get(`sha256:${image.id}`);
    if (config === undefined) throw new RrunError({ code: 'ERR_INVALID_IMAGE', message: `image ${image.id} has no config in the store`, subject: image.id });
    return { image, chain: layerChain(snap, image.layer, input).reverse(), config, repoTags: [...extra, ...tagFor(input, image)] };
  };
  if (multi) return inputs.map((i) => pick(i, []));
  const extra = inputs.slice(1).map((t) => storeName(t) ?? t);
  return [pick(inputs[0] as string, extra)];
}

async function openOutput(path: string): Promise<WriteStream> {
  const ws = createWriteStream(path, { mode: 0o644 });
  try {
    await once(ws, 'open');
    return ws;
  } catch (err) {
    const code = errnoCode(err);
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new RrunError({ code: 'ERR_SAVE_OUTPUT', subject: path, cause: err, message: `opening file "${path}": open ${path}: ${why}`, hint: code === 'ENOENT' ? 'create the directory first, or choose another path with -o' : undefined });
  }
}

async function writeArchive(out: TarOut, chosen: Chosen[], format: SaveFormat, paths: StorePaths, idmap: IdMapping): Promise<void> {
  if (format === 'docker-archive') {
    const images: DockerSaveImage[] = chosen.map((c) => ({
      config: c.config, configDigest: `sha256:${c.image.id}`, repoTags: c.repoTags,
      diffIds: c.chain.map((l) => l['diff-digest'] ?? ''), sizes: c.chain.map((l) => l['diff-size'] ?? 0),
    }));
    await writeDockerArchive(out, images, (n, i) => storedLayerTar(paths, chosen[n]?.chain[i] as LayerRecord, idmap));
    return;
  }
  const c = chosen[0] as Chosen;
  const tmp = mkdtempSync(`${tmpdir()}/rrun-save-`);
  try {
    const blobs = [];
    for (const l of c.chain) {
      blobs.push(await layerBlob(layerDirs(paths, l.id).diff, `${paths.layersDir}/${l.id}.tar-split.gz`, l['diff-digest'] ?? '', `${tmp}/${l.id}.gz`, idmap));
    }
    await writeOciArchive(out, { config: c.config, refName: c.repoTags.at(-1) }, blobs);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function save(inputs: readonly string[], o: SaveOptions = {}, c?: Context): Promise<void> {
  const ctx = c ?? (await createContext(o));
  const chosen = await choose(ctx, inputs, o.multiImage === true);
  const format = o.format ?? 'docker-archive';
  const paths = storePaths(ctx.storage);
  const me = userInfo();
  const idmap = subidMapping({ name: me.username, uid: me.uid, gid: me.gid });
  const file = o.output !== undefined ? await openOutput(o.output) : undefined;
  const sink = file ?? o.stdout ?? process.stdout;
  try {
    const style = format === 'docker-archive' ? dockerStyle : { fileMode: 0o644, dirMode: 0o755, mtime: Math.floor(Date.now() / 1000) };
    const out = new TarOut(sink, style, file !== undefined);
    await withLocks([{ path: paths.layersLock, mode: 'read' }], () => writeArchive(out, chosen, format, paths, idmap));
    await out.end();
  } catch (err) {
    if (file !== undefined) {
      file.destroy();
      rmSync(o.output as string, { force: true });
    }
    throw err;
  }
}
