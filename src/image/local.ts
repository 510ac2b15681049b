// Find an image of a store snapshot by what the user typed, in podman's local lookup
// order (aliases, localhost/, search registries, docker.io, id prefixes).
import { loadRegistriesConfig, defaultRegistriesHost } from '../config/registries.js';
import type { ImageRecord } from '../../storage/records.js';
import type { StoreSnapshot } from '../../storage/store.js';
import type { Context } from '../context.js';
import { imageDigests } from './catalog.js';
import { lookupLocalImage } from './shortnames.js';

export function resolveLocalImage(ctx: Context, snap: Pick<StoreSnapshot, 'images'>, input: string): ImageRecord {
  // Read only for a short name: a qualified one needs no registries.conf.
  const config = () => loadRegistriesConfig({ ...defaultRegistriesHost, env: ctx.env, uid: ctx.host.uid });
  const candidates = snap.images.map((record) => ({
    record,
    id: record.id,
    names: record.names,
    digest: record.digest,
    digests: imageDigests(record),
  }));
  return lookupLocalImage(input, candidates, config).image.record;
}
