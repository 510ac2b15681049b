// `--change`/`-c` for import and commit: one Containerfile instruction of the kinds
// podman allows there, applied to the image config by the build's handlers.
import { RrunError } from '../../oci/errors.js';
import type { ImageRuntimeConfig } from '../../oci/image.js';
import { parseContainerfile } from '../build/containerfile.js';
import { META, type MetaState } from '../build/instructions.js';

const ALLOWED = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

function invalid(change: string, why: string): RrunError {
  return new RrunError({ code: 'ERR_INVALID_CHANGE', subject: change, message: `invalid change "${change}" - ${why}`, hint: `allowed: ${[...ALLOWED].join(', ')}` });
}

/** `config` with every change applied, in order. */
export function applyChanges(config: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig {
  const state: MetaState = { config: structuredClone(config), shell: ['/bin/sh', '-c'], cmdSet: true };
  for (const change of changes) {
    let ins;
    try {
      ins = parseContainerfile(change.replace(/^(\w+)=/, '$1 '), '--change')[0];
    } catch (err) {
      throw invalid(change, (err as Error).message);
    }
    const handler = ins !== undefined && ALLOWED.has(ins.keyword) ? META[ins.keyword] : undefined;
    if (ins === undefined || handler === undefined) throw invalid(change, `invalid instruction ${ins?.keyword ?? change}`);
    handler(state, ins, () => undefined, '--change');
  }
  return state.config;
}
