// `rrun logout REGISTRY`: remove the registry's entry from the auth file.
import { command, option, optional, positional, string } from 'cmd-ts';
import { logout } from '../../api/login.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';

export const logoutCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Log out of a container registry',
    args: {
      authfile: option({ long: 'authfile', type: optional(string), description: 'Path of the authentication file' }),
      registry: positional({ type: string, displayName: 'REGISTRY' }),
    },
    handler: async (a): Promise<number> => {
      await logout(a.registry, { ...globals, authfile: a.authfile });
      process.stdout.write(`Removed login credentials for ${a.registry}\n`);
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(logoutCommand(globals, name), argv);
}
