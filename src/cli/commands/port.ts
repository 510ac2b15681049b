// `rrun port CONTAINER [PRIVATE_PORT[/PROTO]]`
import { command, optional, positional, string } from 'cmd-ts';
import { containerPorts, portLine } from '../../api/port.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import type { CliGlobals } from '../main.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  const positionals = argv.filter((a) => !a.startsWith('-'));
  if (!argv.includes('--help') && !argv.includes('-h')) {
    if (positionals.length === 0) return Promise.reject(usageError('you must supply a running container name or id'));
    if (positionals.length > 2) return Promise.reject(usageError('`port` accepts at most 2 arguments'));
  }
  return runCommand(command({
    name: `rrun ${name}`,
    description: 'List port mappings or a specific mapping for the container',
    args: {
      container: positional({ type: string, displayName: 'CONTAINER' }),
      privatePort: positional({ type: optional(string), displayName: 'PRIVATE_PORT' }),
    },
    handler: async (a): Promise<number> => {
      const ports = await containerPorts(a.container, a.privatePort, globals);
      const lines = ports.map((p) => (a.privatePort === undefined ? portLine(p) : `${p.hostIp}:${p.hostPort}`));
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
      return 0;
    },
  }), argv);
}
