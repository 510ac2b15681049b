// `rrun pull NAME`: podman's flags; progress on stderr, the image id on stdout.
import { boolean, command, flag, option, optional, positional, string } from 'cmd-ts';
import { pull } from '../../api/pull.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';

/** `--tls-verify`, `--tls-verify=false`: podman's optional-value boolean. */
export const tlsVerifyFlag = () =>
  option({ long: 'tls-verify', type: optional(string), description: 'Require HTTPS and verify certificates (default true)' });

export function decodeTlsVerify(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return !['false', '0', 'no'].includes(v.toLowerCase());
}

export const pullCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Pull an image from a registry',
    args: {
      quiet: flag({ long: 'quiet', short: 'q', type: boolean, description: 'Suppress output information when pulling images' }),
      tlsVerify: tlsVerifyFlag(),
      platform: option({ long: 'platform', type: optional(string), description: 'Pull image for this OS/ARCH[/VARIANT]' }),
      os: option({ long: 'os', type: optional(string), description: 'Use OS instead of the running OS' }),
      arch: option({ long: 'arch', type: optional(string), description: 'Use ARCH instead of the architecture of the machine' }),
      variant: option({ long: 'variant', type: optional(string), description: 'Use VARIANT instead of the default variant' }),
      authfile: option({ long: 'authfile', type: optional(string), description: 'Path of the authentication file' }),
      creds: option({ long: 'creds', type: optional(string), description: 'USERNAME[:PASSWORD] for the registry' }),
      image: positional({ type: string, displayName: 'IMAGE' }),
    },
    handler: async (a): Promise<number> => {
      const result = await pull(a.image, {
        ...globals, quiet: a.quiet, tlsVerify: decodeTlsVerify(a.tlsVerify), platform: a.platform, os: a.os, arch: a.arch,
        variant: a.variant, authfile: a.authfile, creds: a.creds,
      });
      process.stdout.write(`${result.id}\n`);
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(pullCommand(globals, name), argv);
}
