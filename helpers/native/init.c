/* The container's pid 1 after Start: fork the workload (pid 2), then act as init —
 * forward signals, reap every child, report the workload's status and exit with it.
 *
 * Why not exec the workload as pid 1: the kernel only delivers signals to a pid
 * namespace's init that it has handlers for, so `kill -TERM $$` or Ctrl-C would be
 * ignored by most programs, and orphans would never be reaped. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "protocol.h"

/* Signals init keeps for itself: the ones the kernel raises for a fault (catatonit's
 * "kernel signals") and the two nobody can catch. Everything else is forwarded. */
static const int not_forwarded[] = {SIGKILL, SIGSTOP, SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS};

struct exec_report {
	uint32_t step;
	int32_t err;
};

static void fail_step(int fd, uint32_t step) __attribute__((noreturn));
static void fail_step(int fd, uint32_t step)
{
	struct exec_report r = {step, errno};
	(void)write_full(fd, &r, sizeof r);
	/* The shell's convention; the exit code Node reports is decided from the report. */
	_exit(step == STEP_EXEC && r.err == ENOENT ? 127 : 126);
}

static int load_seccomp(const struct proc *p)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(p->bpf_len / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)p->bpf,
	};
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/* Bounding set first (needs CAP_SETPCAP, which we still hold), then keep the permitted
 * set across setresuid so capset can pick from it. */
static int drop_bounding(uint64_t keep)
{
	for (unsigned long cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (cap >= 64 || !(keep & (1ull << cap)))
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
				return -1;
	return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
}

static int set_caps(const uint64_t caps[5])
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(caps[1] >> (32 * i));
		data[i].permitted = (uint32_t)(caps[2] >> (32 * i));
		data[i].inheritable = (uint32_t)(caps[3] >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;
	for (unsigned long cap = 0; cap < 64; cap++)
		if ((caps[4] >> cap) & 1u)
			if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
				return -1;
	return 0;
}

static const char *env_get(char **env, const char *key)
{
	size_t n = strlen(key);
	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, key, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* execvpe-style search of the container's PATH, done here because with an overlay or
 * fuse-overlayfs rootfs the merged tree exists only inside the mount namespace, and
 * absolute symlinks in the image only resolve after pivot_root. Unlike execvp there is
 * no /bin/sh retry on ENOEXEC (runc and crun do not do that either). */
static void exec_search(char **argv, char **env)
{
	const char *path = env_get(env, "PATH");
	char buf[4096];
	int err = ENOENT;
	if (strchr(argv[0], '/') != NULL || path == NULL) {
		execve(argv[0], argv, env);
		return;
	}
	for (const char *dir = path;; dir++) {
		const char *end = strchrnul(dir, ':');
		size_t dl = (size_t)(end - dir);
		if (dl + strlen(argv[0]) + 2 <= sizeof buf) {
			memcpy(buf, dir, dl);
			buf[dl] = '/';
			strcpy(buf + dl + 1, argv[0]);
			execve(dl == 0 ? argv[0] : buf, argv, env);
			if (errno == EACCES)
				err = EACCES; /* keep looking, but report it if nothing runs */
			else if (errno != ENOENT && errno != ENOTDIR)
				err = errno;
		}
		if (*end == '\0')
			break;
		dir = end;
	}
	errno = err;
}

static void workload(const struct proc *p, int report) __attribute__((noreturn));
static void workload(const struct proc *p, int report)
{
	sigset_t none;
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for SIGKILL, SIGSTOP, libc-reserved */
	if (p->tty >= 0 && (setsid() < 0 || ioctl(p->tty, TIOCSCTTY, 0) < 0 || dup2(p->tty, 0) < 0 ||
			    dup2(p->tty, 1) < 0 || dup2(p->tty, 2) < 0))
		fail_step(report, STEP_TERMINAL);
	if (p->setgroups && setgroups(p->ngroups, p->groups) < 0)
		fail_step(report, STEP_CREDENTIALS);
	/* Without no_new_privs a filter can only be installed while we still hold
	 * CAP_SYS_ADMIN (in our userns), i.e. before the capability drop. */
	if (p->bpf != NULL && !p->no_new_privs && load_seccomp(p) < 0)
		fail_step(report, STEP_SECCOMP);
	if (p->have_caps && drop_bounding(p->caps[0]) < 0)
		fail_step(report, STEP_CAPABILITIES);
	if (setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0)
		fail_step(report, STEP_CREDENTIALS);
	if (p->have_caps && set_caps(p->caps) < 0)
		fail_step(report, STEP_CAPABILITIES);
	if (p->cwd != NULL && chdir(p->cwd) < 0)
		fail_step(report, STEP_CHDIR);
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail_step(report, STEP_NO_NEW_PRIVS);
	if (p->bpf != NULL && p->no_new_privs && load_seccomp(p) < 0)
		fail_step(report, STEP_SECCOMP);
	/* CLOEXEC rather than close: the report pipe must stay usable until execve. */
	if (syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		fail_step(report, STEP_EXEC);
	if (p->have_umask)
		umask(p->umask);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	exec_search(p->argv, p->env);
	fail_step(report, STEP_EXEC);
}

static void report_exit(int st) __attribute__((noreturn));
static void report_exit(int st)
{
	int32_t msg[2];
	if (WIFSIGNALED(st))
		msg[0] = 128 + WTERMSIG(st), msg[1] = WTERMSIG(st);
	else
		msg[0] = WEXITSTATUS(st), msg[1] = 0;
	int32_t wire[2] = {(int32_t)htole32((uint32_t)msg[0]), (int32_t)htole32((uint32_t)msg[1])};
	(void)send_msg(MSG_EXITED, wire, sizeof wire);
	_exit(msg[0]);
}

/* Waits for the workload's execve (the CLOEXEC pipe closes) or its failure report;
 * Node learns either way (a detached run returns on Started). */
static void await_exec(int rd)
{
	struct exec_report r;
	ssize_t n;
	while ((n = read(rd, &r, sizeof r)) < 0 && errno == EINTR)
		;
	close(rd);
	if (n == (ssize_t)sizeof r) {
		uint32_t wire[2] = {htole32(r.step), htole32((uint32_t)r.err)};
		(void)send_msg(MSG_EXEC_FAILED, wire, sizeof wire);
	} else
		(void)send_msg(MSG_STARTED, NULL, 0);
}

void run_init(const struct plan *plan)
{
	sigset_t set;
	int pipefd[2];
	sigfillset(&set);
	for (size_t i = 0; i < sizeof not_forwarded / sizeof not_forwarded[0]; i++)
		sigdelset(&set, not_forwarded[i]);
	/* Blocked before fork: nothing sent from now on is lost, the workload unblocks. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		send_error(-1, errno, "init setup");
		_exit(125);
	}
	pid_t child = fork();
	if (child < 0) {
		send_error(-1, errno, "fork workload");
		_exit(125);
	}
	if (child == 0) {
		close(pipefd[0]);
		workload(&plan->proc, pipefd[1]);
	}
	close(pipefd[1]);
	if (plan->proc.tty >= 0)
		close(plan->proc.tty);
	await_exec(pipefd[0]);
	for (;;) {
		siginfo_t info;
		if (sigwaitinfo(&set, &info) < 0)
			continue; /* EINTR only */
		if (info.si_signo != SIGCHLD) {
			kill(child, info.si_signo);
			continue;
		}
		int st;
		pid_t pid;
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			if (pid == child)
				report_exit(st);
	}
}
