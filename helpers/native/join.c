/* exec: enter the namespaces of a running container's init. The user namespace comes
 * first (it grants the capabilities the other setns calls need), the mount namespace
 * last (it also moves our root and cwd to the container's root). Every file is opened
 * before the first setns, while the host's /proc is still the one we see. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "helper.h"

static const struct {
	int flag;
	const char *name;
} order[] = {
	{CLONE_NEWUSER, "user"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWUTS, "uts"}, {CLONE_NEWNET, "net"},
	{CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWPID, "pid"}, {CLONE_NEWNS, "mnt"},
};
#define NNS (sizeof order / sizeof order[0])

int join_namespaces(pid_t pid, uint64_t flags)
{
	int fds[NNS];
	char path[64];
	int rc = 0;
	for (size_t i = 0; i < NNS; i++) {
		fds[i] = -1;
		if (!(flags & (uint64_t)order[i].flag))
			continue;
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, order[i].name);
		if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			rc = -1;
	}
	for (size_t i = 0; i < NNS && rc == 0; i++)
		if (fds[i] >= 0 && setns(fds[i], order[i].flag) < 0)
			rc = -1;
	int err = errno;
	for (size_t i = 0; i < NNS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return errno = err, rc;
}
