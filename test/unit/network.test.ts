// Network choice, helper options and argv, addresses, containers.conf lookup: tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RrunError } from '../../oci/errors.js';
import { hostfwdRequest, slirpArgv } from '../../helpers/slirp4netns.js';
import { pastaArgv, pastaOutput } from '../../helpers/pasta.js';
import { chooseNetwork, networkAddresses, nthAddress, parseNetworkFlag, slirpConfig, type NetworkBinaries } from '../../src/runtime/network.js';
import { defaultGateway, networkRequest, parseAddHost, type NetworkHostFacts } from '../../src/runtime/network-host.js';
import { confFiles, loadNetworkConf, parseNetworkConf, type ConfHost } from '../../src/config/containers-conf.js';
import { buildLaunchPlan, type PlanInput } from '../../src/runtime/plan.js';

const both: NetworkBinaries = { slirp4netns: '/usr/bin/slirp4netns', pasta: '/usr/bin/pasta' };

const flagRows: { value: string; want: ReturnType<typeof parseNetworkFlag> | RegExp }[] = [
  { value: 'slirp4netns', want: { mode: 'slirp4netns', options: [] } },
  { value: 'slirp4netns:allow_host_loopback=true,mtu=1500', want: { mode: 'slirp4netns', options: ['allow_host_loopback=true', 'mtu=1500'] } },
  { value: 'pasta:--map-gw,-T,8080', want: { mode: 'pasta', options: ['--map-gw', '-T', '8080'] } },
  { value: 'none', want: { mode: 'none', options: [] } },
  { value: 'host', want: { mode: 'host', options: [] } },
  { value: 'private', want: { mode: 'private', options: [] } },
  { value: 'bogus', want: /unknown network mode "bogus"/ },
  { value: 'bridge', want: /mode bridge is not supported/ },
  { value: 'none:x=1', want: /mode none takes no options/ },
];
for (const row of flagRows) {
  test(`--network ${row.value}`, () => {
    if (row.want instanceof RegExp) {
      assert.throws(() => parseNetworkFlag(row.value), (e: unknown) => e instanceof RrunError && e.exitCode === 125 && (row.want as RegExp).test(e.message));
    } else assert.deepEqual(parseNetworkFlag(row.value), row.want);
  });
}

const chooseRows: { name: string; flag?: string; conf?: Parameters<typeof chooseNetwork>[1]; bin?: NetworkBinaries; want: string | RegExp }[] = [
  { name: 'default is slirp4netns when installed', want: 'slirp4netns' },
  { name: 'default is pasta without slirp4netns', bin: { slirp4netns: null, pasta: '/p' }, want: 'pasta' },
  { name: 'containers.conf default_rootless_network_cmd', conf: { defaultRootlessNetworkCmd: 'pasta' }, want: 'pasta' },
  { name: 'containers.conf netns', conf: { netns: 'none' }, want: 'none' },
  { name: 'the flag beats containers.conf', flag: 'host', conf: { netns: 'none' }, want: 'host' },
  { name: 'conf options come before the flag\'s', flag: 'slirp4netns:mtu=1500', conf: { networkCmdOptions: ['mtu=9000'] }, want: 'slirp4netns mtu=9000,mtu=1500' },
  { name: 'pasta_options', flag: 'pasta', conf: { pastaOptions: ['--mtu', '1500'] }, want: 'pasta --mtu,1500' },
  { name: 'missing helper', flag: 'pasta', bin: { slirp4netns: '/s', pasta: null }, want: /needs the pasta binary/ },
];
for (const row of chooseRows) {
  test(`choose: ${row.name}`, () => {
    const run = (): string => {
      const c = chooseNetwork(row.flag, row.conf ?? {}, row.bin ?? both);
      return c.options.length > 0 ? `${c.mode} ${c.options.join(',')}` : c.mode;
    };
    if (row.want instanceof RegExp) assert.throws(run, row.want);
    else assert.equal(run(), row.want);
  });
}

test('slirp4netns options: podman defaults, table keys, bad values', () => {
  assert.deepEqual(slirpConfig([], true), { allowHostLoopback: false, mtu: 65520, enableIpv6: true, sandbox: true });
  const c = slirpConfig(['allow_host_loopback=true', 'mtu=1500', 'cidr=10.5.0.0/24', 'enable_ipv6=false', 'port_handler=slirp4netns'], false);
  assert.deepEqual(c, { allowHostLoopback: true, mtu: 1500, enableIpv6: false, sandbox: false, cidr: '10.5.0.0/24' });
  assert.throws(() => slirpConfig(['allow_host_loopback=yes'], true), /expected true or false/);
  assert.throws(() => slirpConfig(['mtu=10'], true), /mtu must be/);
  assert.throws(() => slirpConfig(['nope=1'], true), /unknown option/);
  assert.throws(() => slirpConfig(['port_handler=x'], true), /port_handler/);
});

test('slirp4netns argv: pid mode, ready and exit fds, API socket only when asked', () => {
  assert.deepEqual(slirpArgv(42, slirpConfig([], true)), [
    '--configure', '--mtu=65520', '--disable-host-loopback', '--enable-sandbox', '--enable-seccomp', '--enable-ipv6',
    '--ready-fd=3', '--exit-fd=4', '42', 'tap0',
  ]);
  const argv = slirpArgv(7, { ...slirpConfig(['allow_host_loopback=true', 'cidr=10.5.0.0/24'], false), apiSocket: '/run/x.sock' });
  assert.ok(!argv.includes('--disable-host-loopback') && !argv.includes('--enable-sandbox'));
  assert.ok(argv.includes('--cidr=10.5.0.0/24') && argv.includes('--api-socket=/run/x.sock'));
  assert.deepEqual(argv.slice(-2), ['7', 'tap0']);
});

test('slirp4netns add_hostfwd request', () => {
  assert.deepEqual(JSON.parse(hostfwdRequest({ proto: 'udp', hostAddr: '', hostPort: 5353, guestPort: 53 })), {
    execute: 'add_hostfwd', arguments: { proto: 'udp', host_addr: '0.0.0.0', host_port: 5353, guest_port: 53 },
  });
});

test('pasta argv: podman\'s defaults fill what the user left open', () => {
  const base = { pidFile: '/run/p.pid', dnsForward: '169.254.1.1' };
  assert.deepEqual(pastaArgv(9, { ...base, options: [], forwards: [] }), [
    '--config-net', '--dns-forward', '169.254.1.1', '-t', 'none', '-u', 'none', '-T', 'none', '-U', 'none', '--no-map-gw', '--quiet',
    '--pid', '/run/p.pid', '9',
  ]);
  const argv = pastaArgv(9, {
    ...base, options: ['--map-gw', '-T', '5432'], forwards: [{ proto: 'tcp', hostAddr: '127.0.0.1', hostPort: 18080, guestPort: 80 }],
  });
  assert.deepEqual(argv, [
    '--config-net', '-T', '5432', '-t', '127.0.0.1/18080:80', '--dns-forward', '169.254.1.1', '-u', 'none', '-U', 'none', '--quiet',
    '--pid', '/run/p.pid', '9',
  ]);
  assert.equal(pastaOutput('Failed to send 80 bytes to syslog\nNo routable interface\n'), 'No routable interface');
  // A foreground container's pasta stays in the foreground (rrun's child, dying with it).
  assert.deepEqual(pastaArgv(9, { ...base, options: [], forwards: [], foreground: true }).slice(0, 2), ['-f', '--config-net']);
});

test('addresses: slirp4netns, host loopback, pasta, none, host', () => {
  const host = { localIp: '192.0.2.2', gateway: '192.0.2.1' };
  assert.equal(nthAddress('10.0.2.0/24', 100), '10.0.2.100');
  assert.equal(nthAddress('10.5.7.9/16', 3), '10.5.0.3');
  const slirp = (opts: string[]) => networkAddresses({ mode: 'slirp4netns', options: opts }, slirpConfig(opts, true), host);
  assert.deepEqual(slirp([]), { containerIp: '10.0.2.100', hostIp: '192.0.2.2', dns: '10.0.2.3' });
  assert.deepEqual(slirp(['allow_host_loopback=true']), { containerIp: '10.0.2.100', hostIp: '10.0.2.2', dns: '10.0.2.3' });
  assert.deepEqual(networkAddresses({ mode: 'pasta', options: [] }, undefined, host), { containerIp: '192.0.2.2', hostIp: '192.0.2.2', dns: '169.254.1.1' });
  assert.equal(networkAddresses({ mode: 'pasta', options: ['--map-gw'] }, undefined, host).hostIp, '192.0.2.1');
  assert.equal(networkAddresses({ mode: 'pasta', options: ['--dns-forward', '10.9.9.9'] }, undefined, host).dns, '10.9.9.9');
  assert.deepEqual(networkAddresses({ mode: 'none', options: [] }, undefined, host), { containerIp: '127.0.0.1', hostIp: '192.0.2.2', dns: undefined });
  assert.equal(networkAddresses({ mode: 'none', options: [] }, undefined, { localIp: undefined, gateway: undefined }).hostIp, undefined);
});

test('/proc/net/route default gateway', () => {
  const route = 'Iface\tDestination\tGateway\tFlags\neth0\t000200C0\t00000000\t0001\neth0\t00000000\t010200C0\t0003\n';
  assert.equal(defaultGateway(route), '192.0.2.1');
  assert.equal(defaultGateway('Iface\tDestination\n'), undefined);
});

test('--add-host', () => {
  assert.deepEqual(parseAddHost('db.local:10.1.2.3'), { name: 'db.local', ip: '10.1.2.3' });
  assert.deepEqual(parseAddHost('v6:[fd00::1]'), { name: 'v6', ip: 'fd00::1' });
  assert.deepEqual(parseAddHost('v6=fd00::1'), { name: 'v6', ip: 'fd00::1' });
  for (const bad of ['nohost', 'a:b', ':1.2.3.4', 'x y:1.2.3.4']) assert.throws(() => parseAddHost(bad), /expected HOST:IP/, bad);
});

const facts: NetworkHostFacts = {
  conf: { dnsServers: ['9.9.9.9'] }, binaries: both, net: { localIp: '192.0.2.2', gateway: '192.0.2.1' }, sandboxOk: true,
};

test('network request: flags, conf defaults, conflicts refused', () => {
  const r = networkRequest({ publish: ['8080:80'], addHosts: ['a:1.2.3.4'], dnsSearch: ['example.org'] }, facts);
  assert.equal(r.mode, 'slirp4netns');
  assert.deepEqual(r.net.publish, [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(r.net.dns, ['9.9.9.9'], 'containers.conf dns_servers');
  assert.deepEqual(r.net.dnsSearch, ['example.org']);
  assert.deepEqual(networkRequest({ dns: ['1.1.1.1'] }, facts).net.dns, ['1.1.1.1']);
  assert.deepEqual(networkRequest({ network: 'none' }, facts).net.dns, [], 'no resolv.conf servers for none');
  assert.throws(() => networkRequest({ network: 'none', publish: ['80'] }, facts), /cannot be published with --network none/);
  assert.throws(() => networkRequest({ network: 'host', publishAll: true }, facts), /cannot be published with --network host/);
  assert.throws(() => networkRequest({ network: 'none', dns: ['1.1.1.1'] }, facts), /conflict with --network none/);
});

function confHost(files: Record<string, string>, env: Record<string, string> = {}): ConfHost {
  return {
    env, home: '/home/u',
    readText: async (p) => files[p],
    list: async (dir) => Object.keys(files).filter((p) => p.startsWith(`${dir}/`)).map((p) => p.slice(dir.length + 1)),
  };
}

test('containers.conf: podman\'s lookup order, later files win key by key', async () => {
  const host = confHost({
    '/usr/share/containers/containers.conf': '[network]\n#pasta_options = []\n',
    '/etc/containers/containers.conf': '[containers]\nnetns = "none"\n[engine]\nnetwork_cmd_options = ["mtu=1500"]\n',
    '/etc/containers/containers.conf.d/10-a.conf': '[network]\ndefault_rootless_network_cmd = "pasta"\n',
    '/home/u/.config/containers/containers.conf': '[containers]\nnetns = "private"\n',
  });
  assert.deepEqual(await confFiles(host), [
    '/usr/share/containers/containers.conf', '/etc/containers/containers.conf', '/etc/containers/containers.conf.d/10-a.conf',
    '/home/u/.config/containers/containers.conf', '/home/u/.config/containers/containers.conf.d/nothing-here.conf',
  ].filter((p) => !p.includes('nothing-here')));
  assert.deepEqual(await loadNetworkConf(host), { netns: 'private', networkCmdOptions: ['mtu=1500'], defaultRootlessNetworkCmd: 'pasta' });
  assert.deepEqual(await confFiles(confHost({}, { CONTAINERS_CONF: '/x.conf', CONTAINERS_CONF_OVERRIDE: '/y.conf' })), ['/x.conf', '/y.conf']);
  assert.deepEqual(await confFiles(confHost({}, { XDG_CONFIG_HOME: '/cfg' })).then((l) => l.at(-1)), '/cfg/containers/containers.conf');
});

test('containers.conf: bad TOML and wrong types name the file', async () => {
  await assert.rejects(parseNetworkConf('/etc/c.conf', '[network\n'), /reading containers.conf "\/etc\/c.conf": toml: line 1/);
  await assert.rejects(parseNetworkConf('/etc/c.conf', '[network]\npasta_options = "x"\n'), /pasta_options must be an array of strings/);
});

const planBase: PlanInput = {
  rootfs: { kind: 'bind', path: '/r', readonly: false },
  network: 'private',
  idmap: { gidCount: 65537, setgroupsAllowed: true },
  process: { argv: ['true'], env: [], cwd: '/', uid: 0, gid: 0 },
};

test('plan: ping_group_range is written after /proc is mounted and before /proc/sys turns read-only; lo up for none', () => {
  const ops = buildLaunchPlan({ ...planBase, sysctls: { 'net.ipv4.ping_group_range': '0 0' }, loopbackUp: 'lo' }).ops;
  const at = (pred: (o: (typeof ops)[number]) => boolean): number => ops.findIndex(pred);
  const proc = at((o) => o.op === 'mount' && o.fstype === 'proc');
  const write = at((o) => o.op === 'write-file' && o.path === '/r/proc/sys/net/ipv4/ping_group_range');
  const roSys = at((o) => o.op === 'remount' && o.target === '/r/proc/sys');
  const lo = at((o) => o.op === 'link-up' && o.name === 'lo');
  assert.ok(proc >= 0 && proc < write && write < roSys, `proc ${proc} < write ${write} < ro ${roSys}`);
  assert.ok(lo > proc && lo < at((o) => o.op === 'pivot-root'));
  const hostOps = buildLaunchPlan({ ...planBase, network: 'host', sysctls: { 'net.ipv4.ping_group_range': '0 0' } }).ops;
  assert.ok(!hostOps.some((o) => o.op === 'write-file'), 'never the host\'s sysctls');
});
