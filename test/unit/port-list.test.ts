// podman's port listing order and folding, from what podman 4.3 printed for the same -p flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderPorts, portRanges, portsColumn } from '../../src/runtime/port-list.js';
import type { PortMapping } from '../../src/runtime/request.js';

const m = (hostIp: string, hostPort: number, containerPort: number, protocol: PortMapping['protocol'] = 'tcp'): PortMapping => ({ hostIp, hostPort, containerPort, protocol });

const cases: { flags: string; ports: PortMapping[]; column: string; port: string[] }[] = [
  {
    flags: '-p 127.0.0.1:18090:8080 -p 18091:81/udp -p 18092-18093:90-91',
    ports: [m('127.0.0.1', 18090, 8080), m('', 18091, 81, 'udp'), m('', 18092, 90), m('', 18093, 91)],
    column: '127.0.0.1:18090->8080/tcp, 0.0.0.0:18092-18093->90-91/tcp, 0.0.0.0:18091->81/udp',
    port: ['127.0.0.1:18090/8080', '0.0.0.0:18092/90', '0.0.0.0:18093/91', '0.0.0.0:18091/81'],
  },
  {
    flags: '-p 18095:95/udp -p 18097:97 -p 18094:94 -p 127.0.0.1:18096:96 -p 18098:98 -p 18099:99',
    ports: [m('', 18095, 95, 'udp'), m('', 18097, 97), m('', 18094, 94), m('127.0.0.1', 18096, 96), m('', 18098, 98), m('', 18099, 99)],
    column: '0.0.0.0:18094->94/tcp, 0.0.0.0:18097-18099->97-99/tcp, 0.0.0.0:18095->95/udp, 127.0.0.1:18096->96/tcp',
    port: ['0.0.0.0:18094/94', '0.0.0.0:18097/97', '0.0.0.0:18098/98', '0.0.0.0:18099/99', '0.0.0.0:18095/95', '127.0.0.1:18096/96'],
  },
  {
    flags: '-p 8080:80 -p 9000:81 (consecutive container ports, host ports not)',
    ports: [m('', 8080, 80), m('', 9000, 81)],
    column: '0.0.0.0:8080->80/tcp, 0.0.0.0:9000->81/tcp',
    port: ['0.0.0.0:8080/80', '0.0.0.0:9000/81'],
  },
  { flags: '(none)', ports: [], column: '', port: [] },
];

for (const c of cases) {
  test(`ports listed as podman lists ${c.flags}`, () => {
    assert.equal(portsColumn(portRanges(c.ports)), c.column);
    assert.deepEqual(orderPorts(c.ports).map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}/${p.containerPort}`), c.port);
  });
}

test('ps JSON ranges carry podman\'s field names', () => {
  assert.deepEqual(portRanges([m('', 18097, 97), m('', 18098, 98)]), [{ host_ip: '', container_port: 97, host_port: 18097, range: 2, protocol: 'tcp' }]);
});
