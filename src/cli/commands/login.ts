// `rrun login [REGISTRY]`: -u/-p, --password-stdin, --authfile, --tls-verify.
import { boolean, command, flag, option, optional, positional, string } from 'cmd-ts';
import { createInterface } from 'node:readline';
import { login } from '../../api/login.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';
import { decodeTlsVerify, tlsVerifyFlag } from './pull.js';

async function readLine(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  if (prompt) process.stderr.write(prompt);
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

export const loginCommand = (globals: CliGlobals, name: string) =>
  command({
    name: `rrun ${name}`,
    description: 'Log in to a container registry',
    args: {
      username: option({ long: 'username', short: 'u', type: optional(string), description: 'Username for registry' }),
      password: option({ long: 'password', short: 'p', type: optional(string), description: 'Password for registry' }),
      passwordStdin: flag({ long: 'password-stdin', type: boolean, description: 'Take the password from stdin' }),
      authfile: option({ long: 'authfile', type: optional(string), description: 'Path of the authentication file' }),
      tlsVerify: tlsVerifyFlag(),
      registry: positional({ type: string, displayName: 'REGISTRY' }),
    },
    handler: async (a): Promise<number> => {
      const username = a.username ?? (await readLine('Username: '));
      const password = a.passwordStdin ? (await readLine('')).replace(/\r$/, '') : (a.password ?? (await readLine('Password: ')));
      if (username === '' || password === '') throw usageError('a username and a password are required', 'use -u USER and -p PASS or --password-stdin');
      await login(a.registry, { ...globals, username, password, tlsVerify: decodeTlsVerify(a.tlsVerify), authfile: a.authfile });
      process.stdout.write('Login Succeeded!\n');
      return 0;
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(loginCommand(globals, name), argv);
}
