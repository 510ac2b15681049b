/* Plan decoding and control messages. The format is defined in helpers/protocol.ts;
 * this file only checks it strictly (any malformed record is a protocol error before
 * anything runs) and turns the OP_PROC_* records into a struct proc. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helper.h"
#include "protocol.h"

#define ALL_NUMERIC 0xffffffffu
#define VARIADIC 0xffffffffu

/* Arity and which arguments must be 8-byte integers (bit i = argument i). */
static const struct {
	uint32_t code, min, max, numeric;
} arity[] = {
	{OP_NAMESPACES, 1, 1, 1u},
	{OP_MKDIR, 2, 2, 1u << 1},
	{OP_MOUNT, 5, 5, 1u << 3},
	{OP_REMOUNT, 2, 2, 1u << 1},
	{OP_SYMLINK, 2, 2, 0},
	{OP_WRITE_FILE, 3, 3, 1u << 2},
	{OP_TOUCH, 2, 2, 1u << 1},
	{OP_CHDIR, 1, 1, 0},
	{OP_PIVOT_ROOT, 1, 1, 0},
	{OP_SETHOSTNAME, 1, 1, 0},
	{OP_SETRLIMIT, 3, 3, ALL_NUMERIC},
	{OP_EXEC_WAIT, 1, VARIADIC, 0},
	{OP_ROOT, 1, 1, 0},
	{OP_LINK_UP, 1, 1, 0},
	{OP_PROC_ARGV, 1, VARIADIC, 0},
	{OP_PROC_ENV, 0, VARIADIC, 0},
	{OP_PROC_CWD, 1, 1, 0},
	{OP_PROC_USER, 3, VARIADIC, ALL_NUMERIC},
	{OP_PROC_CAPS, 5, 5, ALL_NUMERIC},
	{OP_PROC_NO_NEW_PRIVS, 0, 0, 0},
	{OP_PROC_SECCOMP, 1, 1, 0},
	{OP_PROC_UMASK, 1, 1, 1u},
	{OP_STATE, 2, 2, 0},
	{OP_DETACH, 2, VARIADIC, 0},
	{OP_JOIN, 1, 1, 1u},
	{OP_TERMINAL, 1, 1, 1u},
	{OP_IDMAP, 1, VARIADIC, 0},
	{OP_LOG, 1, 1, 0},
	{OP_DEFER, 0, 0, 0},
};

int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE; /* EOF: the other side went away */
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return le32toh(v);
}

const char *arg_str(const struct op *op, uint32_t i)
{
	return op->args[i].s;
}

const char *arg_opt(const struct op *op, uint32_t i)
{
	return op->args[i].len == 0 ? NULL : op->args[i].s;
}

uint64_t arg_u64(const struct op *op, uint32_t i)
{
	uint64_t v;
	memcpy(&v, op->args[i].s, 8);
	return le64toh(v);
}

static int check_arity(const struct op *op)
{
	for (size_t i = 0; i < sizeof arity / sizeof arity[0]; i++) {
		if (arity[i].code != op->code)
			continue;
		if (op->argc < arity[i].min || op->argc > arity[i].max)
			return -1;
		for (uint32_t a = 0; a < op->argc; a++) {
			int numeric = arity[i].numeric == ALL_NUMERIC || (a < 32 && (arity[i].numeric >> a) & 1u);
			if (numeric && op->args[a].len != 8)
				return -1;
		}
		return 0;
	}
	return -1; /* unknown op: the helper is older than the encoder */
}

/* A NULL-terminated vector of the op's arguments (argv, env). */
static char **arg_vector(const struct op *op)
{
	char **v = calloc(op->argc + 1, sizeof *v);
	if (v == NULL)
		return NULL;
	for (uint32_t i = 0; i < op->argc; i++)
		v[i] = op->args[i].s;
	return v;
}

static int collect_stage0(struct stage0 *s, const struct op *op)
{
	switch (op->code) {
	case OP_STATE:
		s->lock_path = arg_str(op, 0);
		s->exit_path = arg_str(op, 1);
		return 0;
	case OP_DETACH: {
		struct op rest = {op->code, op->flags, op->argc - 1, op->args + 1};
		s->detach = 1;
		s->log_path = arg_str(op, 0);
		return (s->exit_argv = arg_vector(&rest)) == NULL ? -1 : 0;
	}
	case OP_JOIN:
		s->join = 1;
		s->join_pid = (pid_t)arg_u64(op, 0);
		return s->join_pid > 0 ? 0 : -1;
	case OP_TERMINAL:
		s->terminal = 1;
		s->forward_stdin = arg_u64(op, 0) != 0;
		return 0;
	case OP_LOG:
		s->tee = 1;
		s->log_path = arg_str(op, 0);
		return 0;
	case OP_DEFER:
		s->defer = 1;
		return 0;
	case OP_IDMAP: {
		char ***slot = s->uid_map_argv == NULL ? &s->uid_map_argv : &s->gid_map_argv;
		if (*slot != NULL)
			return -1; /* a third record */
		return (*slot = arg_vector(op)) == NULL ? -1 : 0;
	}
	default:
		return 0;
	}
}

static int collect_proc(struct plan *plan, const struct op *op)
{
	struct proc *p = &plan->proc;
	switch (op->code) {
	case OP_NAMESPACES:
		plan->clone_flags = arg_u64(op, 0);
		return 0;
	case OP_PROC_ARGV:
		return (p->argv = arg_vector(op)) == NULL ? -1 : 0;
	case OP_PROC_ENV:
		return (p->env = arg_vector(op)) == NULL ? -1 : 0;
	case OP_PROC_CWD:
		p->cwd = arg_str(op, 0);
		return 0;
	case OP_PROC_USER:
		p->uid = (uid_t)arg_u64(op, 0);
		p->gid = (gid_t)arg_u64(op, 1);
		p->setgroups = arg_u64(op, 2) != 0;
		p->ngroups = op->argc - 3;
		p->groups = calloc(p->ngroups + 1, sizeof(gid_t));
		if (p->groups == NULL)
			return -1;
		for (size_t i = 0; i < p->ngroups; i++)
			p->groups[i] = (gid_t)arg_u64(op, (uint32_t)i + 3);
		return 0;
	case OP_PROC_CAPS:
		p->have_caps = 1;
		for (uint32_t i = 0; i < 5; i++)
			p->caps[i] = arg_u64(op, i);
		return 0;
	case OP_PROC_NO_NEW_PRIVS:
		p->no_new_privs = 1;
		return 0;
	case OP_PROC_SECCOMP:
		p->bpf = op->args[0].s;
		p->bpf_len = op->args[0].len;
		return p->bpf_len % 8 == 0 && p->bpf_len > 0 ? 0 : -1;
	case OP_PROC_UMASK:
		p->have_umask = 1;
		p->umask = (mode_t)arg_u64(op, 0);
		return 0;
	default:
		return collect_stage0(&plan->s0, op);
	}
}

static size_t count_stage0(const struct plan *plan)
{
	size_t n = 0;
	for (size_t i = 0; i < plan->nops; i++)
		n += plan->ops[i].code >= OP_STATE;
	return n;
}

/* Splits one record off the body; advances *pos. */
static int parse_record(const unsigned char *body, size_t len, size_t *pos, struct op *op)
{
	if (len - *pos < 12)
		return -1;
	op->code = get_u32(body + *pos);
	op->flags = get_u32(body + *pos + 4);
	op->argc = get_u32(body + *pos + 8);
	*pos += 12;
	if (op->argc > len) /* cheap bound before allocating */
		return -1;
	op->args = calloc(op->argc + 1, sizeof *op->args);
	if (op->args == NULL)
		return -1;
	for (uint32_t a = 0; a < op->argc; a++) {
		if (len - *pos < 4)
			return -1;
		uint32_t n = get_u32(body + *pos);
		*pos += 4;
		if (len - *pos < n)
			return -1;
		char *s = malloc((size_t)n + 1);
		if (s == NULL)
			return -1;
		memcpy(s, body + *pos, n);
		s[n] = '\0';
		op->args[a] = (struct arg){n, s};
		*pos += n;
	}
	return check_arity(op);
}

int read_plan(int fd, struct plan *plan)
{
	unsigned char hdr[16];
	memset(plan, 0, sizeof *plan);
	plan->proc.tty = -1;
	if (read_full(fd, hdr, sizeof hdr) < 0)
		return -1;
	if (memcmp(hdr, PLAN_MAGIC, 8) != 0 || get_u32(hdr + 8) != PLAN_VERSION)
		return errno = EPROTO, -1;
	uint32_t len = get_u32(hdr + 12);
	if (len > PLAN_MAX_BYTES)
		return errno = E2BIG, -1;
	unsigned char *body = malloc(len ? len : 1);
	if (body == NULL || read_full(fd, body, len) < 0)
		return -1;
	/* Every record takes at least 12 bytes, which bounds the number of ops. */
	plan->ops = calloc(len / 12 + 1, sizeof *plan->ops);
	if (plan->ops == NULL)
		return -1;
	for (size_t pos = 0; pos < len;) {
		struct op *op = &plan->ops[plan->nops++];
		if (parse_record(body, len, &pos, op) < 0 || collect_proc(plan, op) < 0)
			return errno = EPROTO, -1;
	}
	free(body);
	/* An early plan has no setup and no process; a whole one has a process. */
	if (plan->s0.defer ? (plan->nops != 1 + count_stage0(plan) || plan->s0.join) : plan->proc.argv == NULL)
		return errno = EPROTO, -1;
	if (plan->s0.tee && plan->s0.detach)
		return errno = EPROTO, -1; /* one log, one way */
	if ((plan->s0.uid_map_argv == NULL) != (plan->s0.gid_map_argv == NULL) || (plan->s0.uid_map_argv != NULL && plan->s0.join))
		return errno = EPROTO, -1; /* one map tool, or maps for namespaces that exist */
	return 0;
}

/* MSG_NOSIGNAL: a vanished Node must give EPIPE here, not kill us with SIGPIPE. */
int send_msg(uint32_t type, const void *payload, uint32_t len)
{
	unsigned char buf[16 + 256];
	uint32_t hdr[2] = {htole32(type), htole32(len)};
	if (len > sizeof buf - 8)
		return errno = EMSGSIZE, -1;
	memcpy(buf, hdr, 8);
	if (len > 0)
		memcpy(buf + 8, payload, len);
	size_t off = 0, total = 8 + (size_t)len;
	while (off < total) {
		ssize_t n = send(CTRL_FD, buf + off, total - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Node's control messages carry no payload. */
int recv_msg(uint32_t *type)
{
	uint32_t hdr[2];
	if (read_full(CTRL_FD, hdr, sizeof hdr) < 0)
		return -1;
	*type = le32toh(hdr[0]);
	return hdr[1] == 0 ? 0 : (errno = EPROTO, -1);
}

void send_error(int op_index, int err, const char *what)
{
	unsigned char buf[8 + 200];
	int32_t head[2] = {(int32_t)htole32((uint32_t)op_index), (int32_t)htole32((uint32_t)err)};
	size_t n = strnlen(what, 200);
	memcpy(buf, head, 8);
	memcpy(buf + 8, what, n);
	(void)send_msg(MSG_ERROR, buf, (uint32_t)(8 + n));
}
