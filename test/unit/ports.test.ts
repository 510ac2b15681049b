// -p/-P parsing (podman's syntax) and the pre-start checks with an injected host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPorts, exposedPorts, parsePublish, type PortHost } from '../../src/runtime/ports.js';
import type { PortMapping } from '../../src/runtime/request.js';

const m = (hostIp: string, hostPort: number, containerPort: number, protocol: 'tcp' | 'udp' = 'tcp'): PortMapping =>
  ({ hostIp, hostPort, containerPort, protocol });

const rows: { spec: string; want: PortMapping[] | RegExp }[] = [
  { spec: '80', want: [m('', 0, 80)] },
  { spec: '8080:80', want: [m('', 8080, 80)] },
  { spec: '127.0.0.1:8080:80', want: [m('127.0.0.1', 8080, 80)] },
  { spec: '127.0.0.1::80', want: [m('127.0.0.1', 0, 80)] },
  { spec: '8080:80/udp', want: [m('', 8080, 80, 'udp')] },
  { spec: '53:53/tcp,udp', want: [m('', 53, 53), m('', 53, 53, 'udp')] },
  { spec: '8000-8001:80-81', want: [m('', 8000, 80), m('', 8001, 81)] },
  { spec: '80-81', want: [m('', 0, 80), m('', 0, 81)] },
  { spec: '[::1]:8080:80', want: [m('::1', 8080, 80)] },
  { spec: '8080:80/sctp', want: /protocol "sctp" is not supported/ },
  { spec: 'abc', want: /is not a port/ },
  { spec: '8080:70000', want: /out of range/ },
  { spec: '8080:0', want: /out of range/ },
  { spec: '90-80', want: /ends before it starts/ },
  { spec: '8000-8002:80-81', want: /host range has 3 ports but the container range 2/ },
  { spec: '1.2.3:8080:80', want: /is not an IP address/ },
  { spec: '1:2:3:4', want: /too many colons/ },
  { spec: '[::1]8080:80', want: /IPv6 host address/ },
];
for (const row of rows) {
  test(`-p ${row.spec}`, () => {
    if (row.want instanceof RegExp) assert.throws(() => parsePublish(row.spec), (e: Error) => (row.want as RegExp).test(e.message) && /invalid port mapping/.test(e.message));
    else assert.deepEqual(parsePublish(row.spec), row.want);
  });
}

test('-P: the image\'s ExposedPorts on free host ports', () => {
  assert.deepEqual(exposedPorts({ '80/tcp': {}, '53/udp': {} }), [m('', 0, 80), m('', 0, 53, 'udp')]);
  assert.deepEqual(exposedPorts(undefined), []);
});

function host(busy: string[], start = 1024): PortHost & { probed: string[] } {
  const probed: string[] = [];
  let next = 40000;
  return {
    probed,
    unprivilegedPortStart: async () => start,
    probeBind: async (proto, ip, port) => {
      probed.push(`${proto}/${ip}:${port}`);
      if (busy.includes(`${proto}/${port}`)) throw Object.assign(new Error('busy'), { code: 'EADDRINUSE' });
      return port === 0 ? next++ : port;
    },
  };
}

test('checks: free ports chosen, privileged and busy ports refused before start', async () => {
  assert.deepEqual(await checkPorts([m('', 0, 80), m('127.0.0.1', 8080, 80)], host([])), [m('', 40000, 80), m('127.0.0.1', 8080, 80)]);
  await assert.rejects(checkPorts([m('', 80, 80)], host([])), (e: Error & { exitCode?: number; hint?: string }) =>
    /privileged host port 80\/tcp/.test(e.message) && e.exitCode === 125 && /-p 8080:80/.test(e.hint ?? ''));
  assert.deepEqual(await checkPorts([m('', 80, 80)], host([], 80)), [m('', 80, 80)], 'ip_unprivileged_port_start=80 allows it');
  await assert.rejects(checkPorts([m('127.0.0.1', 8080, 80, 'udp')], host(['udp/8080'])), /cannot publish 127.0.0.1:8080\/udp: the address is already in use/);
  await assert.rejects(checkPorts([m('', 8080, 80), m('', 8080, 81)], host([])), /already in use/);
  const h = host([]);
  assert.deepEqual(await checkPorts([], h), []);
  assert.deepEqual(h.probed, [], 'nothing probed without ports');
});
