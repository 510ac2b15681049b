/* Terminals for -t. The pty comes from the container's own devpts (opened after
 * pivot_root, so the workload sees /dev/pts/0 of its instance); the master travels to
 * stage 0 over a socket (SCM_RIGHTS), because only stage 0 holds the caller's terminal
 * once Node is out of the way — and Node cannot receive descriptors at all. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "helper.h"

/* The caller's terminal settings while we hold it in raw mode (restore_mode). */
static struct termios saved;
static int saved_fd = -1;

/* The master; *slave is opened through TIOCGPTPEER, so no path lookup can be raced. */
int open_pty(int *slave)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -1;
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
	    (*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0) {
		int err = errno;
		close(master);
		return errno = err, -1;
	}
	return master;
}

int send_fd(int sock, int fd)
{
	char byte = 'm';
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&byte, 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	memset(ctl, 0, sizeof ctl);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : -1;
}

/* The passed descriptor, or -1 (errno 0 at EOF: stage 1 ended before sending one). */
int recv_fd(int sock)
{
	char byte;
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&byte, 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	ssize_t n;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct cmsghdr *c = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return errno = n < 0 ? errno : 0, -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/* Best effort: when `from` is no terminal there is no size to copy. */
void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(to, TIOCSWINSZ, &ws);
}

/* Raw mode on the caller's terminal: every key, Ctrl-C included, goes to the container's
 * line discipline instead of generating signals for rrun. */
int raw_mode(int fd)
{
	struct termios raw;
	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &saved) < 0)
		return -1;
	raw = saved;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return -1;
	saved_fd = fd;
	return 0;
}

void restore_mode(void)
{
	if (saved_fd >= 0)
		(void)tcsetattr(saved_fd, TCSADRAIN, &saved);
	saved_fd = -1;
}
