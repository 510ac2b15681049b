// `rrun create [OPTIONS] IMAGE [COMMAND…]`: run's options; prints the container id.
import { create } from '../../api/create.js';
import { runCommand } from '../cmd.js';
import type { CliGlobals } from '../main.js';
import { presplit, runCmd } from './run.js';

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(runCmd(globals, name, async (opts) => {
    const c = await create(opts);
    process.stdout.write(`${c.id}\n`);
    return 0;
  }), presplit(argv));
}
