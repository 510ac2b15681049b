// Escape attempts from inside a container fail and change nothing on the host; ICMP
// echo works without raw sockets (ping_group_range in the container's netns).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, runAs, testBed } from '../lib/testbed.js';

const BUSYBOX = 'localhost/busybox:latest';

// An ICMP echo over a datagram socket (what iputils ping uses without CAP_NET_RAW).
const ICMP_PROBE = `#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
  int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  if (s < 0) { perror("socket"); return 2; }
  struct icmphdr h; memset(&h, 0, sizeof h); h.type = ICMP_ECHO; h.un.echo.sequence = htons(1);
  struct sockaddr_in to = { .sin_family = AF_INET }; to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (sendto(s, &h, sizeof h, 0, (struct sockaddr *)&to, sizeof to) < 0) { perror("sendto"); return 3; }
  char buf[64]; struct timeval tv = { 2, 0 }; setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t n = recv(s, buf, sizeof buf, 0);
  if (n < (ssize_t)sizeof h || ((struct icmphdr *)buf)->type != ICMP_ECHOREPLY) { perror("recv"); return 4; }
  puts("echo reply");
  return 0;
}
`;

test('ICMP echo works in the container without raw sockets, as in podman', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const dir = ok(await runAs(['mktemp', '-d']), 'mktemp').trim();
  ok(await runAs(['sh', '-c', 'cat > "$0/icmp.c"', dir], { input: ICMP_PROBE }), 'write probe');
  const cc = await runAs(['gcc', '-static', '-O2', '-o', `${dir}/icmp`, `${dir}/icmp.c`]);
  if (!requirePrereq(t, cc.code === 0, `gcc with static glibc (libc6-dev) to build the ICMP probe: ${cc.stderr.slice(-200)}`)) return;
  ok(await runAs(['chmod', '755', dir]), 'chmod');
  for (const network of ['none', 'slirp4netns']) {
    const mine = await rrun(['run', '--rm', '--network', network, '-v', `${dir}:/t:ro`, 'busybox', '/t/icmp']);
    assert.equal(mine.code, 0, `${network}: ${mine.stderr}`);
    assert.equal(mine.stdout, 'echo reply\n');
  }
  const theirs = await podman(['run', '--rm', '--network', 'none', '-v', `${dir}:/t:ro`, 'busybox', '/t/icmp']);
  assert.equal(theirs.stdout, 'echo reply\n', 'podman agrees');
  await runAs(['rm', '-rf', dir]);
});

test('the helper binary cannot be written through /proc/1/exe, even --privileged', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const helper = `${testBed().repo}/helpers/native/rrun-helper`;
  const before = createHash('sha256').update(readFileSync(helper)).digest('hex');
  for (const extra of [[], ['--privileged']]) {
    const r = await rrun(['run', '--rm', ...extra, 'busybox', 'sh', '-c', 'echo pwned > /proc/1/exe; echo pwned >> /proc/1/exe; cat /proc/1/exe > /dev/null 2>&1; echo done']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /done/);
    assert.match(r.stderr, /(Text file busy|Permission denied|Read-only)/, `the write was refused: ${r.stderr}`);
  }
  assert.equal(createHash('sha256').update(readFileSync(helper)).digest('hex'), before, 'rrun-helper unchanged');
});

test('a bind-mounted volume\'s .. and /proc/1/root stay inside the container', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const bed = testBed();
  const dir = ok(await runAs(['mktemp', '-d', `${bed.home}/rrun-escape-vol-XXXXXX`]), 'mktemp').trim();
  ok(await runAs(['sh', '-c', 'chmod 755 "$0" && touch "$0/inside" && touch "$0/../rrun-escape-sibling-$$"', dir]), 'prepare');
  const script = [
    'cd /data/.. && echo "pwd=$(pwd)"',
    'echo "root=$(ls /proc/1/root/ | tr "\\n" " ")"',
    'echo "sib=$(ls -a /data/../.. /proc/1/root/.. | grep -c rrun-escape-sibling)"',
  ].join('; ');
  for (const extra of [[], ['--privileged']]) {
    const out = ok(await rrun(['run', '--rm', ...extra, '-v', `${dir}:/data`, 'busybox', 'sh', '-c', script]), 'volume ..');
    const field = (k: string): string => out.split('\n').find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1) ?? '';
    assert.equal(field('pwd'), '/');
    // /proc/1/root is the container's root, or refused outright (init is not dumpable
    // after its setresuid): never the host's.
    assert.ok(field('root') === '' || / bin /.test(` ${field('root')}`), field('root'));
    assert.ok(!field('root').includes(bed.user), 'the host home is not visible');
    assert.equal(field('sib'), '0', 'the volume source\'s host siblings are not reachable');
  }
  await runAs(['sh', '-c', 'rm -rf "$0" "$(dirname "$0")"/rrun-escape-sibling-*', dir]);
});
