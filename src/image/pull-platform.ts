// Choosing the image for this machine from an OCI index or a Docker manifest list, as
// c/image does: the first instance whose os and architecture match (and variant, when
// one is wanted), with `--platform os/arch[/variant]`, `--os`, `--arch`, `--variant`
// overriding the host's values. Pure.
import { RrunError } from '../../oci/errors.js';
import type { Descriptor } from '../../oci/image.js';

export interface PlatformWanted {
  os: string;
  architecture: string;
  variant?: string | undefined;
}

/** Node's process.arch → the OCI/Go name. */
const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(arch: string = process.arch): PlatformWanted {
  const architecture = goArch[arch] ?? arch;
  return { os: 'linux', architecture, ...(architecture === 'arm64' ? { variant: 'v8' } : {}) };
}

/** `--platform linux/arm64/v8` and the single flags, over the host default. */
export function wantedPlatform(o: { platform?: string | undefined; os?: string | undefined; arch?: string | undefined; variant?: string | undefined }): PlatformWanted {
  const host = hostPlatform();
  if (o.platform !== undefined && o.platform !== '') {
    const [os, architecture, variant] = o.platform.split('/');
    if (!os || !architecture) {
      throw new RrunError({ code: 'ERR_USAGE', message: `invalid platform "${o.platform}": expected os/arch[/variant]`, hint: 'e.g. --platform linux/arm64/v8' });
    }
    return { os, architecture, variant };
  }
  const architecture = o.arch ?? host.architecture;
  const variant = o.variant ?? (o.arch === undefined ? host.variant : undefined);
  return { os: o.os ?? host.os, architecture, variant };
}

/** Variants that are interchangeable for matching (arm64 images often omit "v8"). */
function variantMatches(wanted: string | undefined, have: string | undefined, arch: string): boolean {
  if (wanted === undefined || wanted === '') return true;
  if (have === wanted) return true;
  return arch === 'arm64' && wanted === 'v8' && (have === undefined || have === '');
}

export function choosePlatform(manifests: readonly Descriptor[], wanted: PlatformWanted, source: string): Descriptor {
  const candidates = manifests.filter((m) => m.platform?.os === wanted.os && m.platform.architecture === wanted.architecture);
  const exact = candidates.find((m) => variantMatches(wanted.variant, m.platform?.variant, wanted.architecture));
  const chosen = exact ?? (wanted.variant === undefined ? candidates[0] : undefined);
  if (chosen !== undefined) return chosen;
  const offered = manifests.map((m) => [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/')).join(', ');
  const want = [wanted.os, wanted.architecture, wanted.variant].filter(Boolean).join('/');
  throw new RrunError({
    code: 'ERR_NO_PLATFORM',
    message: `choosing an image from manifest list ${source}: no image found in manifest list for architecture ${wanted.architecture}, variant "${wanted.variant ?? ''}", OS ${wanted.os}`,
    subject: source,
    hint: `the list offers ${offered || 'nothing'}; choose one with --platform (wanted ${want})`,
  });
}
