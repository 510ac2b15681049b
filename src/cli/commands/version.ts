// `rrun version`: rrun's and Node's versions, in podman's layout.
import { arch, platform } from 'node:os';
import { readPackageVersion } from '../version-info.js';
import type { CliGlobals } from '../main.js';
import { usageError } from '../errors.js';
import { goJson } from '../output.js';
import { isJsonFormat, renderReport } from '../../format/report.js';
import { goStruct } from '../../format/values.js';
import { writeReport } from '../../format/write.js';

export interface VersionInfo {
  Version: string;
  NodeVersion: string;
  OsArch: string;
}

export function versionInfo(): VersionInfo {
  const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return {
    Version: readPackageVersion(),
    NodeVersion: process.version,
    OsArch: `${platform()}/${goArch[arch()] ?? arch()}`,
  };
}

export async function main(argv: string[], _globals: CliGlobals): Promise<number> {
  const info = versionInfo();
  const format = argv[0] === '--format' ? argv[1] : argv[0]?.startsWith('--format=') ? argv[0].slice(9) : undefined;
  if (argv.length > 0 && format === undefined) throw usageError(`unsupported arguments: ${argv.join(' ')}`, 'rrun version [--format FORMAT]');
  if (format !== undefined && isJsonFormat(format)) {
    process.stdout.write(goJson({ Client: info }));
    return 0;
  }
  if (format !== undefined) {
    // podman runs the template over {Client, Server} first and, when that fails, over
    // the client *define.Version alone (the pre-2.0 layout); only the second error shows.
    const [os = ''] = info.OsArch.split('/');
    const client = goStruct('*define.Version', { APIVersion: info.Version, ...info, Os: os });
    try {
      process.stdout.write(renderReport({ name: 'version', format, list: false }, goStruct('define.SystemVersionReport', { Client: client })));
    } catch {
      writeReport({ name: 'version', format, list: false }, client);
    }
    return 0;
  }
  process.stdout.write(`Version:      ${info.Version}\nNode Version: ${info.NodeVersion}\nOS/Arch:      ${info.OsArch}\n`);
  return 0;
}
