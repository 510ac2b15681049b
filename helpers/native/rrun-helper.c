/* rrun-helper: creates the container's namespaces for a Node process, which cannot
 * (a multithreaded process gets EINVAL from unshare(CLONE_NEWUSER), and fork() through
 * an FFI kills the child). Single-threaded, no policy: it runs the plan Node sends.
 *
 *   stage 0 (this process, host namespaces)      stage 1 (clone child = pid 1 inside)
 *   read plan from fd 3
 *   clone(plan's CLONE_NEW* flags) ───────────▶  wait for IdmapDone on fd 3
 *   send NeedIdmap{pid}, close fd 3               setresuid/gid(0); run ops in order
 *   relay signals to pid 1, wait for it           send Ready | Error; wait for Start
 *   exit with pid 1's status                      init.c: fork workload, reap, Exited
 *
 * After NeedIdmap stage 0 never touches fd 3 again, so stage 1 owns the conversation and
 * Node sees EOF exactly when the container is gone.
 *
 * Lifetime: stage 0 gets SIGKILL when Node dies (PR_SET_PDEATHSIG), stage 1 when stage 0
 * dies, and when stage 1 (the pid namespace's init) dies the kernel kills every process
 * left in the namespace. So no helper or container process outlives a killed rrun. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "protocol.h"

static volatile pid_t container_pid;

static void die(const char *what) __attribute__((noreturn));
static void die(const char *what)
{
	int err = errno;
	fprintf(stderr, "rrun-helper: %s: %s\n", what, strerror(err));
	send_error(-1, err, what);
	_exit(125);
}

/* Stage 0's handler: pass the signal to the container's init, which forwards it to
 * the workload. container_pid is 0 in the clone child's copy, so it ignores them. */
static void relay(int sig)
{
	int saved = errno;
	if (container_pid > 0)
		kill(container_pid, sig);
	errno = saved;
}

static void install_relay(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = relay;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			die("sigaction");
}

static void run_setup(const struct plan *plan)
{
	mode_t old = umask(0); /* ops carry exact modes */
	for (size_t i = 0; i < plan->nops; i++) {
		const struct op *op = &plan->ops[i];
		const char *what = "";
		if (run_op(op, &what) == 0)
			continue;
		if ((op->flags & OPF_OPTIONAL) && errno == ENOENT)
			continue;
		send_error((int)i, errno, what);
		_exit(125);
	}
	umask(old);
}

static void stage1(const struct plan *plan) __attribute__((noreturn));
static void stage1(const struct plan *plan)
{
	uint32_t type;
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* undo install_relay; errors for KILL/STOP are fine */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG)");
	/* Nothing may happen before the maps exist: until then we are nobody in here. */
	if (recv_msg(&type) < 0)
		_exit(125); /* Node is gone */
	if (type != MSG_IDMAP_DONE)
		errno = EPROTO, die("expected IdmapDone");
	if (setresgid(0, 0, 0) < 0)
		die("setresgid(0)");
	if (setresuid(0, 0, 0) < 0)
		die("setresuid(0)");
	/* A credential change may clear the death signal (commit_creds); set it again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG)");
	run_setup(plan);
	if (send_msg(MSG_READY, NULL, 0) < 0)
		_exit(125);
	if (recv_msg(&type) < 0)
		_exit(125);
	if (type != MSG_START)
		errno = EPROTO, die("expected Start");
	run_init(plan);
}

/* Stage 0 exits the way the container did: same code, 128+n for a signal. */
static void relay_exit(pid_t pid) __attribute__((noreturn));
static void relay_exit(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(void)
{
	struct plan plan;
	pid_t parent = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent)
		_exit(125); /* Node died before the death signal was armed */
	/* Programs run by exec-wait (fuse-overlayfs daemons) must not hold the socket. */
	if (fcntl(CTRL_FD, F_SETFD, FD_CLOEXEC) < 0)
		die("control fd 3");
	if (read_plan(CTRL_FD, &plan) < 0)
		die("read plan");
	install_relay();
	/* Raw clone with no stack behaves like fork: the child continues right here. */
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)plan.clone_flags | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		die("clone");
	if (pid == 0)
		stage1(&plan);
	container_pid = pid;
	uint32_t wire = htole32((uint32_t)pid);
	if (send_msg(MSG_NEED_IDMAP, &wire, sizeof wire) < 0)
		die("send NeedIdmap");
	close(CTRL_FD);
	relay_exit(pid);
}
