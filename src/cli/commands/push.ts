// `rrun push IMAGE [DESTINATION]`
import { boolean, command, flag, option, optional, positional, string } from 'cmd-ts';
import { push } from '../../api/push.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';
import { decodeTlsVerify, tlsVerifyFlag } from './pull.js';

export const pushCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Push an image to a specified destination',
    args: {
      quiet: flag({ long: 'quiet', short: 'q', type: boolean, description: "Don't output progress information when pushing images" }),
      tlsVerify: tlsVerifyFlag(),
      authfile: option({ long: 'authfile', type: optional(string), description: 'Path of the authentication file' }),
      creds: option({ long: 'creds', type: optional(string), description: 'USERNAME[:PASSWORD] for the registry' }),
      image: positional({ type: string, displayName: 'IMAGE' }),
      destination: positional({ type: optional(string), displayName: 'DESTINATION' }),
    },
    handler: async (a): Promise<number> => {
      await push(a.image, a.destination, { ...globals, quiet: a.quiet, tlsVerify: decodeTlsVerify(a.tlsVerify), authfile: a.authfile, creds: a.creds });
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(pushCommand(globals, name), argv);
}
