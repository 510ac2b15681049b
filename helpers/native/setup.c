/* One setup op = one small function doing one syscall (or a fixed short sequence).
 * Which ops run, in which order, on which paths, is decided in src/runtime/plan.ts. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "protocol.h"

#define WHAT(s) (*what = (s))

/* In a user namespace the flags of a mount inherited from the more privileged host
 * namespace are locked: a remount that would clear nosuid/nodev/noexec fails with EPERM.
 * So keep whatever statvfs reports (statvfs ST_* bits differ from MS_* for relatime, hence
 * the table). Atime flags are left out: a remount without any atime flag keeps them. */
static const struct {
	unsigned long st, ms;
} locked[] = {
	{ST_NOSUID, MS_NOSUID},
	{ST_NODEV, MS_NODEV},
	{ST_NOEXEC, MS_NOEXEC},
};

/* Close `fd` (if open) keeping errno: the result of the syscall before it. */
static int done(int rc, int fd)
{
	int saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
	return rc;
}

static int op_remount(const char *target, unsigned long flags, const char **what)
{
	char magic[32 + PATH_MAX];
	int fd;
	struct statvfs sv;
	WHAT("open(target)");
	if (inroot_mount_path(target, magic, &fd) < 0)
		return -1;
	WHAT("statvfs");
	if (statvfs(magic, &sv) < 0)
		return done(-1, fd);
	for (size_t i = 0; i < sizeof locked / sizeof locked[0]; i++)
		if (sv.f_flag & locked[i].st)
			flags |= locked[i].ms;
	WHAT("mount(MS_REMOUNT)");
	return done(mount(NULL, magic, NULL, MS_REMOUNT | MS_BIND | flags, NULL), fd);
}

/* A bind's source may lie inside the root too (read-only re-binds of /proc/sys); a
 * filesystem's source is only a name. */
static int op_mount(const struct op *op, const char **what)
{
	unsigned long flags = arg_u64(op, 3);
	const char *source = arg_opt(op, 0);
	char src_magic[32 + PATH_MAX], dst_magic[32 + PATH_MAX];
	int src_fd = -1, dst_fd;
	WHAT("open(source)");
	if ((flags & MS_BIND) && source != NULL && inroot_mount_path(source, src_magic, &src_fd) < 0)
		return -1;
	WHAT("open(target)");
	if (inroot_mount_path(arg_str(op, 1), dst_magic, &dst_fd) < 0)
		return done(-1, src_fd);
	WHAT("mount");
	int rc = mount((flags & MS_BIND) && source != NULL ? src_magic : source, dst_magic, arg_opt(op, 2), flags, arg_opt(op, 4));
	done(rc, src_fd);
	return done(rc, dst_fd);
}

static int op_write_file(const struct op *op, const char **what)
{
	const struct arg *data = &op->args[1];
	WHAT("open");
	int fd = inroot_open(arg_str(op, 0), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, (mode_t)arg_u64(op, 2));
	if (fd < 0)
		return -1;
	WHAT("write");
	int rc = write_full(fd, data->s, data->len);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* Mount points for file binds: O_RDONLY so an existing read-only file is fine too. */
static int op_touch(const char *path, mode_t mode, const char **what)
{
	WHAT("open(O_CREAT)");
	int fd = inroot_open(path, O_RDONLY | O_CREAT | O_NOCTTY, mode);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one, so no put_old
 * directory is needed inside a possibly read-only rootfs. The old root is made private
 * first so that detaching it cannot propagate anywhere. */
static int op_pivot_root(const char *new_root, const char **what)
{
	WHAT("chdir");
	if (chdir(new_root) < 0)
		return -1;
	WHAT("pivot_root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -1;
	WHAT("mount(old root, MS_REC|MS_PRIVATE)");
	if (mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	WHAT("umount2(old root, MNT_DETACH)");
	if (umount2(".", MNT_DETACH) < 0)
		return -1;
	WHAT("chdir(/)");
	inroot_close(); /* the old root's fd must not reach the workload */
	return chdir("/");
}

static int op_setrlimit(const struct op *op, const char **what)
{
	struct rlimit rl = {.rlim_cur = arg_u64(op, 1), .rlim_max = arg_u64(op, 2)};
	WHAT("setrlimit");
	return setrlimit((int)arg_u64(op, 0), &rl);
}

/* Runs a program (fuse-overlayfs) inside the namespaces; it must exit 0. errno is 0
 * and *what names the status when it ran but failed. */
static int op_exec_wait(const struct op *op, const char **what)
{
	static char status[48];
	char **argv = calloc(op->argc + 1, sizeof *argv);
	WHAT("fork");
	if (argv == NULL)
		return -1;
	for (uint32_t i = 0; i < op->argc; i++)
		argv[i] = op->args[i].s;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	free(argv);
	int st;
	WHAT("waitpid");
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		snprintf(status, sizeof status, "exited with status %d", WEXITSTATUS(st));
	else
		snprintf(status, sizeof status, "killed by signal %d", WTERMSIG(st));
	WHAT(status);
	return errno = 0, -1;
}

/* ip link set NAME up, without forking ip(8): SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP. */
static int op_link_up(const char *name, const char **what)
{
	struct ifreq ifr;
	WHAT("link up");
	if (strlen(name) >= sizeof ifr.ifr_name)
		return errno = ENAMETOOLONG, -1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, name);
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	int saved = errno;
	close(fd);
	return errno = saved, rc;
}

int run_op(const struct op *op, const char **what)
{
	switch (op->code) {
	case OP_MKDIR:
		WHAT("mkdir");
		return inroot_mkdir_p(arg_str(op, 0), (mode_t)arg_u64(op, 1));
	case OP_MOUNT:
		return op_mount(op, what);
	case OP_REMOUNT:
		return op_remount(arg_str(op, 0), arg_u64(op, 1), what);
	case OP_SYMLINK:
		WHAT("symlink");
		return inroot_symlink(arg_str(op, 0), arg_str(op, 1));
	case OP_WRITE_FILE:
		return op_write_file(op, what);
	case OP_TOUCH:
		return op_touch(arg_str(op, 0), (mode_t)arg_u64(op, 1), what);
	case OP_CHDIR:
		WHAT("chdir");
		return chdir(arg_str(op, 0));
	case OP_PIVOT_ROOT:
		return op_pivot_root(arg_str(op, 0), what);
	case OP_SETHOSTNAME:
		WHAT("sethostname");
		return sethostname(arg_str(op, 0), op->args[0].len);
	case OP_SETRLIMIT:
		return op_setrlimit(op, what);
	case OP_EXEC_WAIT:
		return op_exec_wait(op, what);
	case OP_ROOT:
		WHAT("open(root)");
		return inroot_set(arg_str(op, 0));
	case OP_LINK_UP:
		return op_link_up(arg_str(op, 0), what);
	default:
		return 0; /* stage-0 and workload records are not setup steps */
	}
}
