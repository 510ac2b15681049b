/* Stage 0 writes the container's id maps with the plan's tools (newuidmap, newgidmap):
 * two forks of this small process instead of two of Node's, run at the same time. The
 * plan gives each tool's argv without the pid, which only exists after clone and goes
 * in as argv[1]. No policy: which tools and which ranges is decided in TypeScript. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"

struct tool {
	pid_t pid;
	int err; /* read end of the tool's stderr */
};

static int start_tool(char *const *argv, pid_t target, struct tool *t)
{
	char pid_text[16];
	size_t n = 0;
	int p[2];
	while (argv[n] != NULL)
		n++;
	char **full = calloc(n + 2, sizeof *full);
	if (full == NULL || pipe2(p, O_CLOEXEC) < 0) {
		free(full);
		return -1;
	}
	snprintf(pid_text, sizeof pid_text, "%d", (int)target);
	full[0] = argv[0];
	full[1] = pid_text;
	for (size_t i = 1; i < n; i++)
		full[i + 1] = argv[i];
	t->pid = fork();
	if (t->pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* stage 0 blocks SIGCHLD for its signalfd */
		if (dup2(p[1], STDERR_FILENO) >= 0)
			execvp(full[0], full);
		dprintf(STDERR_FILENO, "exec %s: %s%s", full[0], strerror(errno), errno == ENOENT ? " (ENOENT)" : "");
		_exit(127);
	}
	int saved = errno;
	free(full);
	close(p[1]);
	t->err = p[0];
	if (t->pid < 0) {
		close(p[0]);
		return errno = saved, -1;
	}
	return 0;
}

/* Waits for a tool; on failure fills `what` with "idmap\t<tool>\t<pid>\t<status>\t<stderr>". */
static int finish_tool(const char *name, pid_t target, struct tool *t, char *what, size_t size)
{
	char err[160];
	size_t used = 0;
	int st;
	for (;;) { /* keep the head of stderr, drain the rest so the tool never blocks */
		char sink[512];
		ssize_t r = read(t->err, used < sizeof err - 1 ? err + used : sink,
				 used < sizeof err - 1 ? sizeof err - 1 - used : sizeof sink);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (used < sizeof err - 1)
			used += (size_t)r;
	}
	err[used] = '\0';
	close(t->err);
	while (waitpid(t->pid, &st, 0) < 0)
		if (errno != EINTR)
			return snprintf(what, size, "idmap\t%s\t%d\twaitpid: %s\t", name, (int)target, strerror(errno)), -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		snprintf(what, size, "idmap\t%s\t%d\texit status %d\t%s", name, (int)target, WEXITSTATUS(st), err);
	else
		snprintf(what, size, "idmap\t%s\t%d\tkilled by signal %d\t%s", name, (int)target, WTERMSIG(st), err);
	return -1;
}

int write_id_maps(const struct stage0 *s0, pid_t target, char *what, size_t size)
{
	struct tool uid = {-1, -1}, gid = {-1, -1};
	if (start_tool(s0->uid_map_argv, target, &uid) < 0)
		return snprintf(what, size, "idmap\t%s\t%d\tcould not run: %s\t", s0->uid_map_argv[0], (int)target, strerror(errno)), -1;
	int failed = 0;
	if (start_tool(s0->gid_map_argv, target, &gid) < 0) {
		snprintf(what, size, "idmap\t%s\t%d\tcould not run: %s\t", s0->gid_map_argv[0], (int)target, strerror(errno));
		failed = 1;
	}
	/* uid first, like podman, when both fail. */
	if (finish_tool(s0->uid_map_argv[0], target, &uid, what, size) < 0)
		failed = 2;
	if (gid.pid > 0) {
		char other[200];
		if (finish_tool(s0->gid_map_argv[0], target, &gid, other, sizeof other) < 0 && failed != 2) {
			snprintf(what, size, "%s", other);
			failed = 1;
		}
	}
	return failed ? -1 : 0;
}
