/* Stage 0 after clone: wait for the container's init while moving its output, then
 * record how it ended. Three shapes, all one poll loop:
 *   foreground            nothing to move (the workload has Node's stdio); just wait
 *   foreground -t         caller's terminal <-> pty master (raw mode, SIGWINCH)
 *   detached (-d)         stdout/stderr pipes or the pty master -> k8s-file log
 *   kept foreground       as either of the first two, and also -> k8s-file log (OP_LOG)
 * The loop ends when init is reaped; output still buffered is drained first. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

static const char *const stream_names[2] = {"stdout", "stderr"};

/* podman's k8s-file record (conmon's format): local time with a numeric offset. */
static void log_record(int fd, const char *stream, const char *data, size_t len, int partial)
{
	char head[96];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
	long off = labs(tm.tm_gmtoff / 60);
	n += (size_t)snprintf(head + n, sizeof head - n, ".%09ld%c%02ld:%02ld %s %c ", ts.tv_nsec,
			      tm.tm_gmtoff < 0 ? '-' : '+', off / 60, off % 60, stream, partial ? 'P' : 'F');
	struct iovec iov[3] = {{head, n}, {(void *)data, len}, {"\n", 1}};
	/* A full disk loses log lines; the container keeps running, as with conmon. */
	if (writev(fd, iov, 3) < 0)
		return;
}

static void emit(const struct io *io, int stream, const char *buf, size_t n)
{
	if (io->log < 0 || io->tee) /* caller's stdout/stderr gone: nothing to do */
		(void)write_full(stream == 1 ? STDERR_FILENO : STDOUT_FILENO, buf, n);
	if (io->log < 0)
		return;
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - buf) : n;
		log_record(io->log, stream_names[stream], buf, len, nl == NULL);
		if (nl == NULL)
			break;
		buf += len + 1;
		n -= len + 1;
	}
}

/* One read from a source; closes it at EOF or error (EIO: the pty's last slave closed). */
static int pump(struct io *io, int i)
{
	char buf[8192];
	ssize_t n = read(io->src[i], buf, sizeof buf);
	if (n > 0) {
		emit(io, i, buf, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	close(io->src[i]);
	io->src[i] = -1;
	return 0;
}

static void forward_input(struct io *io)
{
	char buf[4096];
	ssize_t n = read(io->term_in, buf, sizeof buf);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0 || write_full(io->src[0], buf, (size_t)n) < 0)
		io->term_in = -1; /* caller's input ended: keep showing output */
}

/* SIGCHLD and SIGWINCH arrive here; returns init's exit code once it is reaped, else -1. */
static int on_signals(int sigfd, pid_t child, const struct io *io)
{
	struct signalfd_siginfo si;
	int code = -1;
	while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGWINCH && io->src[0] >= 0 && io->log < 0)
			copy_winsize(io->term_in >= 0 ? io->term_in : STDOUT_FILENO, io->src[0]);
		int st;
		if (si.ssi_signo == SIGCHLD && waitpid(child, &st, WNOHANG) == child)
			code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	return code;
}

static void drain(struct io *io)
{
	for (int i = 0; i < 2; i++) {
		if (io->src[i] < 0)
			continue;
		if (fcntl(io->src[i], F_SETFL, O_NONBLOCK) < 0)
			continue;
		while (io->src[i] >= 0 && pump(io, i) > 0)
			;
	}
}

static int sigfd = -1;

/* Before clone: a SIGCHLD arriving before the loop must stay pending, not be discarded. */
int block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sigfd < 0 ? -1 : 0;
}

int supervise(pid_t child, struct io *io)
{
	for (;;) {
		struct pollfd p[5] = {
			{sigfd, POLLIN, 0}, {io->src[0], POLLIN, 0}, {io->src[1], POLLIN, 0},
			{io->fd_recv, POLLIN, 0}, {io->src[0] >= 0 ? io->term_in : -1, POLLIN, 0},
		};
		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue; /* a relayed signal */
			return 125;
		}
		for (int i = 0; i < 2; i++)
			if (p[i + 1].revents != 0 && io->src[i] >= 0)
				(void)pump(io, i);
		if (p[3].revents != 0) {
			io->src[0] = recv_fd(io->fd_recv); /* -1 if stage 1 failed before sending */
			close(io->fd_recv);
			io->fd_recv = -1;
		}
		if (p[4].revents != 0 && io->term_in >= 0)
			forward_input(io);
		int code = p[0].revents != 0 ? on_signals(sigfd, child, io) : -1;
		if (code >= 0) {
			drain(io);
			return code;
		}
	}
}

/* Written to a temporary name and renamed, so a reader sees all of it or nothing. */
void record_exit(const struct stage0 *s0, int code)
{
	char tmp[4096], text[16];
	if (s0->exit_path == NULL)
		return;
	if (snprintf(tmp, sizeof tmp, "%s.tmp", s0->exit_path) >= (int)sizeof tmp)
		return;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	int n = snprintf(text, sizeof text, "%d\n", code);
	int ok = write_full(fd, text, (size_t)n) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, s0->exit_path) < 0)
		(void)unlink(tmp);
}

/* A classic POSIX lock held for stage 0's whole life: Node tests it (with an OFD lock,
 * which conflicts) to tell a live monitor from a stale state after kill -9 or reboot.
 * Not inherited by the clone child; released by the kernel however we end. */
int hold_lock(const char *path)
{
	struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETLK, &lk) < 0) {
		int err = errno;
		close(fd);
		return errno = err, -1;
	}
	return fd;
}
