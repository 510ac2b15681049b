/* Paths inside the container's root filesystem, resolved by the kernel inside it.
 *
 * Setup ops run before pivot_root, so their paths are host paths under the new root
 * (<root>/etc/hosts). Resolving those with plain open()/mount() would follow a symlink
 * in the image (/etc/hosts -> /home/user/.bashrc, or ../../..) out of the root and make
 * the op create, mount over or write a host file. Once OP_ROOT names the root, every
 * later path under it is opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS):
 * absolute symlinks and ".." stay inside the root. Mounts then go through the opened
 * file's /proc/self/fd/N magic link, which names exactly that file.
 * Paths outside the root (the host's /dev/null as a bind source) are used as given. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"

static int root_fd = -1;
static char root_path[PATH_MAX];
static size_t root_len;

int inroot_set(const char *path)
{
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof root_path)
		return errno = ENAMETOOLONG, -1;
	inroot_close();
	root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return -1;
	memcpy(root_path, path, n + 1);
	while (n > 1 && root_path[n - 1] == '/')
		root_path[--n] = '\0';
	root_len = n;
	return 0;
}

void inroot_close(void)
{
	if (root_fd >= 0)
		close(root_fd);
	root_fd = -1;
	root_len = 0;
}

/* The part of `path` below the root ("." for the root itself), or NULL for a host path. */
static const char *relative(const char *path)
{
	if (root_fd < 0 || strncmp(path, root_path, root_len) != 0)
		return NULL;
	const char *rest = path + root_len;
	if (*rest == '\0')
		return ".";
	if (*rest != '/')
		return NULL;
	while (*rest == '/')
		rest++;
	return *rest == '\0' ? "." : rest;
}

static int openat2_in_root(const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
}

int inroot_open(const char *path, int flags, mode_t mode)
{
	const char *rel = relative(path);
	if (rel == NULL)
		return open(path, flags | O_CLOEXEC, mode);
	return openat2_in_root(rel, flags, mode);
}

/* An O_PATH fd for `path`, and in `magic` the name mount(2) should use for it. For a host
 * path no fd is opened (*fd = -1) and `magic` is the path itself. */
int inroot_mount_path(const char *path, char magic[static 32 + PATH_MAX], int *fd)
{
	const char *rel = relative(path);
	*fd = -1;
	if (rel == NULL) {
		snprintf(magic, 32 + PATH_MAX, "%s", path);
		return 0;
	}
	*fd = openat2_in_root(rel, O_PATH, 0);
	if (*fd < 0)
		return -1;
	snprintf(magic, 32 + PATH_MAX, "/proc/self/fd/%d", *fd);
	return 0;
}

/* Split `path` into an O_PATH fd of its parent directory and its last component. */
static int parent_dir(const char *path, char *base, size_t base_size)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (slash == NULL || strlen(slash + 1) >= base_size || (size_t)(slash - path) >= sizeof dir)
		return errno = EINVAL, -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	strcpy(base, slash + 1);
	return inroot_open(dir[0] == '\0' ? "/" : dir, O_PATH | O_DIRECTORY, 0);
}

int inroot_symlink(const char *target, const char *linkpath)
{
	char base[NAME_MAX + 1];
	int dir = parent_dir(linkpath, base, sizeof base);
	if (dir < 0)
		return -1;
	int rc = symlinkat(target, dir, base);
	int saved = errno;
	close(dir);
	errno = saved;
	return rc;
}

/* mkdir -p: intermediate directories get 0755, the last one `mode`. Each level is made
 * in its parent as resolved inside the root. */
int inroot_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof buf)
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, path, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		char base[NAME_MAX + 1];
		int dir = parent_dir(buf, base, sizeof base);
		int rc = dir < 0 ? -1 : mkdirat(dir, base, saved == '\0' ? mode : 0755);
		int err = errno;
		if (dir >= 0)
			close(dir);
		*p = saved;
		if (rc < 0 && err != EEXIST)
			return errno = err, -1;
		if (saved == '\0')
			return 0;
	}
}
