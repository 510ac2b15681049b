// Generated /etc/hosts and /etc/resolv.conf, compared with what podman 4.3 wrote here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcFiles, parseResolvConf, type EtcInput } from '../../src/runtime/etc-files.js';

const base: EtcInput = {
  network: 'slirp4netns',
  hostname: '1434cca50882',
  containerName: 'nettest1',
  hostHosts: '127.0.0.1 localhost\n# a comment\n127.0.0.1   runsc vm\n',
  hostResolvConf: 'nameserver 10.255.255.53\n',
  addresses: { containerIp: '10.0.2.100', hostIp: '192.0.2.2', dns: '10.0.2.3' },
};

test('hosts: podman 4.3 with slirp4netns and --add-host (measured)', () => {
  const f = etcFiles({ ...base, addHosts: [{ name: 'foo.example', ip: '10.1.2.3' }] });
  assert.equal(f.hosts, '10.1.2.3\tfoo.example\n127.0.0.1\tlocalhost\n127.0.0.1\trunsc vm\n192.0.2.2\thost.containers.internal\n10.0.2.100\t1434cca50882 nettest1\n');
  assert.equal(f.hostname, '1434cca50882');
});

test('hosts: no usable host address leaves host.containers.internal out', () => {
  const f = etcFiles({ ...base, network: 'none', addresses: { containerIp: '127.0.0.1', hostIp: undefined, dns: undefined } });
  assert.doesNotMatch(f.hosts, /host\.containers\.internal/);
  assert.match(f.hosts, /\n127\.0\.0\.1\t1434cca50882 nettest1\n$/);
});

test('resolv.conf: the helper\'s forwarder first, host servers after, loopback ones dropped', () => {
  const f = etcFiles({ ...base, hostResolvConf: 'search corp.example\nnameserver 127.0.0.1\nnameserver 10.255.255.53\noptions ndots:2\n' });
  assert.equal(f.resolvConf, 'search corp.example\nnameserver 10.0.2.3\nnameserver 10.255.255.53\noptions ndots:2\n');
  assert.equal(etcFiles(base).resolvConf, 'nameserver 10.0.2.3\nnameserver 10.255.255.53\n', 'podman 4.3 measured');
});

test('resolv.conf: --dns replaces every server, --dns-search . clears, --dns-option replaces', () => {
  const f = etcFiles({ ...base, hostResolvConf: 'search a.example\nnameserver 10.255.255.53\noptions rotate\n', dns: ['192.0.2.53'], dnsSearch: ['.'], dnsOptions: ['ndots:1'] });
  assert.equal(f.resolvConf, 'nameserver 192.0.2.53\noptions ndots:1\n');
});

test('resolv.conf: none keeps the image\'s, host copies the host\'s, no servers falls back to podman\'s', () => {
  assert.equal(etcFiles({ ...base, network: 'none' }).resolvConf, undefined);
  assert.equal(etcFiles({ ...base, network: 'host', hostResolvConf: 'nameserver 127.0.0.53\n' }).resolvConf, 'nameserver 127.0.0.53\n');
  const noHelper = { ...base, network: 'pasta' as const, addresses: { ...base.addresses, dns: undefined }, hostResolvConf: 'nameserver 127.0.0.1\n' };
  assert.equal(etcFiles(noHelper).resolvConf, 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
});

test('resolv.conf parser ignores comments and unknown keywords', () => {
  assert.deepEqual(parseResolvConf('# x\nnameserver 1.1.1.1 # y\nsortlist 1.2.3.4\ndomain d.example\noptions a b\noptions c\n'),
    { nameservers: ['1.1.1.1'], search: ['d.example'], options: ['a', 'b', 'c'] });
});
