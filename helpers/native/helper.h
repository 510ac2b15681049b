/* Declarations shared by the helper's files. The helper is single-threaded and has no
 * policy: every decision arrives in the plan (see protocol.h and helpers/protocol.ts). */
#ifndef RRUN_HELPER_H
#define RRUN_HELPER_H

#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

/* Node's stdio[3] 'pipe': a bidirectional AF_UNIX SOCK_STREAM socketpair (libuv). */
#define CTRL_FD 3

struct arg {
	uint32_t len;
	char *s; /* NUL-terminated copy */
};

struct op {
	uint32_t code, flags, argc;
	struct arg *args;
};

/* Workload settings gathered from the OP_PROC_* records. */
struct proc {
	char **argv, **env;
	const char *cwd;
	uid_t uid;
	gid_t gid;
	int setgroups;
	size_t ngroups;
	gid_t *groups;
	int have_caps;
	uint64_t caps[5]; /* bounding, effective, permitted, inheritable, ambient */
	int no_new_privs;
	const void *bpf;
	size_t bpf_len;
	int have_umask;
	mode_t umask;
	int tty; /* pty slave for the workload's stdio, or -1 (set at run time) */
};

/* What stage 0 does besides waiting: OP_STATE, OP_DETACH, OP_JOIN, OP_TERMINAL, OP_IDMAP. */
struct stage0 {
	const char *lock_path, *exit_path, *log_path;
	char **exit_argv;
	char **uid_map_argv, **gid_map_argv; /* both or neither */
	int detach, join, terminal, forward_stdin;
	int tee; /* OP_LOG: log_path while attached */
	int defer; /* OP_DEFER: setup and process come in a second plan */
	pid_t join_pid;
};

struct plan {
	size_t nops;
	struct op *ops;
	uint64_t clone_flags;
	struct proc proc;
	struct stage0 s0;
};

/* Stage 0's view of the container's output while it waits (monitor.c). */
struct io {
	int term_in;  /* caller's terminal to forward to the pty, or -1 */
	int src[2];   /* stdout pipe or pty master, stderr pipe; -1 when unused */
	int fd_recv;  /* socket on which stage 1 passes the pty master, or -1 */
	int log;      /* k8s-file log, or -1: src[0] goes to our stdout */
	int tee;      /* with a log: also to our stdout (src[0]) and stderr (src[1]) */
};

/* plan.c: decoding and messages */
int read_plan(int fd, struct plan *plan);
const char *arg_str(const struct op *op, uint32_t i);
const char *arg_opt(const struct op *op, uint32_t i);
uint64_t arg_u64(const struct op *op, uint32_t i);
int send_msg(uint32_t type, const void *payload, uint32_t len);
int recv_msg(uint32_t *type);
void send_error(int op_index, int err, const char *what);
int read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);

/* setup.c: one op */
int run_op(const struct op *op, const char **what);

/* inroot.c: paths under the container root resolved inside it (see there). */
int inroot_set(const char *path);
void inroot_close(void);
int inroot_open(const char *path, int flags, mode_t mode);
int inroot_mount_path(const char *path, char magic[static 32 + PATH_MAX], int *fd);
int inroot_symlink(const char *target, const char *linkpath);
int inroot_mkdir_p(const char *path, mode_t mode);

/* init.c: pid 1 */
void run_init(const struct plan *plan) __attribute__((noreturn));

/* monitor.c: stage 0 after clone; returns the container init's exit code */
int block_signals(void);
int supervise(pid_t child, struct io *io);
void record_exit(const struct stage0 *s0, int code);
int hold_lock(const char *path);

/* pty.c: terminals */
int open_pty(int *slave);
int send_fd(int sock, int fd);
int recv_fd(int sock);
void copy_winsize(int from, int to);
int raw_mode(int fd);
void restore_mode(void);

/* idmap.c: stage 0 runs the id-map tools for the clone child; on failure `what` says why */
int write_id_maps(const struct stage0 *s0, pid_t target, char *what, size_t size);

/* join.c: exec into a running container */
int join_namespaces(pid_t pid, uint64_t flags);

#endif
