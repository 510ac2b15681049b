/* rrun-helper: creates the container's namespaces for a Node process, which cannot
 * (a multithreaded process gets EINVAL from unshare(CLONE_NEWUSER), and fork() through
 * an FFI kills the child). Single-threaded, no policy: it runs the plan Node sends.
 *
 *   stage 0 (this process, host namespaces)      stage 1 (clone child = pid 1 inside)
 *   read plan from fd 3; [lock state, setns]
 *   clone(plan's CLONE_NEW* flags) ───────────▶  wait for IdmapDone on fd 3
 *   [idmap.c: newuidmap/newgidmap PID]
 *   send NeedIdmap{pid}                           [deferred: wait for the gate,
 *   [deferred: wait for Proceed, lock state,        read the whole plan]
 *    open the gate]
 *   close fd 3                                    setresuid/gid(0); run ops in order
 *   monitor.c: relay signals, move output         [-t: open pty, pass master to stage 0]
 *   (pty proxy or k8s-file log), reap pid 1       send Ready | Error; wait for Start
 *   write the exit file; [-d: exec exit command]  init.c: fork workload, Started, reap, Exited
 *   exit with pid 1's status
 *
 * A deferred (early) plan carries only the namespaces and stage 0's records: Node sends
 * it before it has resolved the image, so clone and the maps overlap that work. The
 * rest follows as a second, whole plan after IdmapDone.
 *
 * After NeedIdmap stage 0 never touches fd 3 again, so stage 1 owns the conversation and
 * Node sees EOF exactly when the container is gone. exec (OP_JOIN) is the same with
 * setns instead of the namespace flags of clone, and no NeedIdmap/IdmapDone/setup.
 *
 * Lifetime: stage 0 gets SIGKILL when Node dies (PR_SET_PDEATHSIG), stage 1 when stage 0
 * dies, and when stage 1 (the pid namespace's init) dies the kernel kills every process
 * left in the namespace. So no helper or container process outlives a killed rrun —
 * except a detached (-d) stage 0, the monitor, which drops its death signal on purpose. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

static long elapsed_us(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000L + (now.tv_nsec - since->tv_nsec) / 1000;
}

/* With RRUN_TRACE=1 (rrun --log-level debug) ops slower than 100 µs are reported. */
static void run_setup(const struct plan *plan)
{
	mode_t old = umask(0); /* ops carry exact modes */
	const char *t = getenv("RRUN_TRACE");
	int timing = t != NULL && strcmp(t, "1") == 0;
	struct timespec start, op_start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (size_t i = 0; i < plan->nops; i++) {
		const struct op *op = &plan->ops[i];
		const char *what = "";
		clock_gettime(CLOCK_MONOTONIC, &op_start);
		int rc = run_op(op, &what);
		long us = elapsed_us(&op_start);
		if (timing && us >= 100)
			fprintf(stderr, "rrun-helper: setup op %zu took %ld us\n", i - 1, us);
		if (rc == 0)
			continue;
		if ((op->flags & OPF_OPTIONAL) && errno == ENOENT)
			continue;
		send_error((int)i, errno, what);
		_exit(125);
	}
	if (timing)
		fprintf(stderr, "rrun-helper: setup took %ld us\n", elapsed_us(&start));
	umask(old);
}

/* The pty is opened here, after pivot_root, so it belongs to the container's devpts;
 * the master goes to stage 0, the slave stays for the workload. */
static void open_terminal(struct plan *plan, int pass)
{
	int slave;
	int master = open_pty(&slave);
	if (master < 0) {
		send_error(-1, errno, "open /dev/ptmx");
		_exit(125);
	}
	copy_winsize(isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO, master);
	if (send_fd(pass, master) < 0)
		die("pass the pty master");
	close(master);
	close(pass);
	plan->proc.tty = slave;
}

static void stage1(struct plan *plan, int pass, int gate) __attribute__((noreturn));
static void stage1(struct plan *plan, int pass, int gate)
{
	uint32_t type;
	struct sigaction dfl;
	sigset_t none;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* undo install_relay; errors for KILL/STOP are fine */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		die("sigprocmask");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG)");
	if (!plan->s0.join) {
		/* Deferred: fd 3 is stage 0's until it has read Proceed; it says so on `gate`. */
		char go;
		if (gate >= 0 && read(gate, &go, 1) != 1)
			_exit(125); /* stage 0 died */
		if (gate >= 0)
			close(gate);
		/* Nothing may happen before the maps exist: until then we are nobody in here. */
		if (recv_msg(&type) < 0)
			_exit(125); /* Node is gone */
		if (type != MSG_IDMAP_DONE)
			errno = EPROTO, die("expected IdmapDone");
		/* An early plan: the whole one (setup ops, process) follows IdmapDone. */
		if (plan->s0.defer) {
			struct plan whole;
			if (read_plan(CTRL_FD, &whole) < 0)
				die("read the whole plan");
			if (whole.s0.defer || whole.clone_flags != plan->clone_flags || whole.s0.terminal != plan->s0.terminal)
				errno = EPROTO, die("the whole plan differs from the early one");
			*plan = whole;
		}
		if (setresgid(0, 0, 0) < 0)
			die("setresgid(0)");
		if (setresuid(0, 0, 0) < 0)
			die("setresuid(0)");
		/* A credential change may clear the death signal (commit_creds); set it again. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die("prctl(PR_SET_PDEATHSIG)");
		run_setup(plan);
	}
	/* This process stays in the container for its whole life (pid 1, or the exec
	 * parent): it must not leak the host user's environment into /proc/1/environ.
	 * It stays dumpable on purpose: `rrun exec` joins the container through
	 * /proc/<init>/ns/..., which a non-dumpable init (whose mm belongs to the host user
	 * namespace) would refuse to the unprivileged host user. /proc/1/exe is the
	 * helper binary, busy while init runs it, so it cannot be opened for writing. */
	clearenv();
	if (plan->s0.terminal)
		open_terminal(plan, pass);
	if (send_msg(MSG_READY, NULL, 0) < 0)
		_exit(125);
	if (recv_msg(&type) < 0)
		_exit(125);
	if (type != MSG_START)
		errno = EPROTO, die("expected Start");
	run_init(plan);
}

/* The workload's stdout/stderr become the log pipes (detached without -t). */
static void child_stdio(const int out[2], const int err[2], const int pass[2])
{
	if (out[1] >= 0 && (dup2(out[1], STDOUT_FILENO) < 0 || dup2(err[1], STDERR_FILENO) < 0))
		die("dup2 log pipes");
	if (pass[0] >= 0)
		close(pass[0]);
}

/* The state lock and the log file: before clone, or with a deferred plan once Node
 * said Proceed (the container's record and directories exist only then). */
static void open_state(const struct stage0 *s0, struct io *io)
{
	if (s0->lock_path != NULL && hold_lock(s0->lock_path) < 0)
		die("lock the container state");
	if ((s0->detach || s0->tee) && (io->log = open(s0->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		die("open the container log");
}

/* Everything stage 0 needs before clone: joined namespaces (exec), the pty socket, the
 * log pipes, and (unless deferred) the state lock and log file. */
static void prepare_stage0(struct plan *plan, int out[2], int err[2], int pass[2], struct io *io)
{
	const struct stage0 *s0 = &plan->s0;
	if (!s0->defer)
		open_state(s0, io);
	if (s0->join) {
		if (join_namespaces(s0->join_pid, plan->clone_flags) < 0)
			die("setns into the container");
		/* setns(CLONE_NEWUSER) changed our credentials, which cleared the death signal. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die("prctl(PR_SET_PDEATHSIG)");
	}
	if (s0->terminal && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pass) < 0)
		die("socketpair");
	if ((s0->detach || s0->tee) && !s0->terminal && (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0))
		die("pipe");
	io->tee = s0->tee;
	if (block_signals() < 0)
		die("signalfd");
}

/* `rrun-helper --exec-dying-with-parent PROGRAM ARGS...`: run PROGRAM so that it gets
 * SIGKILL when the process that started us dies (Node cannot arm a child's death
 * signal). For network helpers that must not outlive a killed rrun. */
static void exec_dying_with_parent(char **argv) __attribute__((noreturn));
static void exec_dying_with_parent(char **argv)
{
	execvp(argv[0], argv);
	fprintf(stderr, "rrun-helper: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
	struct plan plan;
	struct io io = {-1, {-1, -1}, -1, -1, 0};
	int out[2] = {-1, -1}, err[2] = {-1, -1}, pass[2] = {-1, -1}, gate[2] = {-1, -1};
	pid_t parent = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent)
		_exit(125); /* Node died before the death signal was armed */
	if (argc >= 3 && strcmp(argv[1], "--exec-dying-with-parent") == 0)
		exec_dying_with_parent(argv + 2);
	/* Programs run by exec-wait (fuse-overlayfs daemons) must not hold the socket. */
	if (fcntl(CTRL_FD, F_SETFD, FD_CLOEXEC) < 0)
		die("control fd 3");
	if (read_plan(CTRL_FD, &plan) < 0)
		die("read plan");
	install_relay();
	prepare_stage0(&plan, out, err, pass, &io);
	if (plan.s0.defer && pipe2(gate, O_CLOEXEC) < 0)
		die("pipe");
	/* Raw clone with no stack behaves like fork: the child continues right here. exec
	 * (join) forks plainly: the joined pid namespace applies to children only. */
	unsigned long flags = plan.s0.join ? 0 : (unsigned long)plan.clone_flags;
	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		die("clone");
	if (pid == 0) {
		child_stdio(out, err, pass);
		if (gate[1] >= 0)
			close(gate[1]);
		stage1(&plan, pass[1], gate[0]);
	}
	container_pid = pid;
	/* A detached monitor outlives Node; if Node dies during setup, stage 1 sees EOF. */
	if (plan.s0.detach && prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG, 0)");
	if (plan.s0.uid_map_argv != NULL) {
		char what[200];
		if (write_id_maps(&plan.s0, pid, what, sizeof what) < 0) {
			kill(pid, SIGKILL); /* it waits for IdmapDone, which will never come */
			send_error(-1, 0, what);
			_exit(125);
		}
	}
	uint32_t wire = htole32((uint32_t)pid);
	if (!plan.s0.join && send_msg(MSG_NEED_IDMAP, &wire, sizeof wire) < 0)
		die("send NeedIdmap");
	if (plan.s0.defer) {
		/* The namespaces exist and are mapped: Node attaches the network helper to them
		 * while it still prepares the container, and says Proceed once its record exists. */
		uint32_t type;
		if (recv_msg(&type) < 0)
			_exit(125); /* Node gave up (bad input found late); stage 1 dies with us */
		if (type != MSG_PROCEED)
			errno = EPROTO, die("expected Proceed");
		open_state(&plan.s0, &io);
		close(gate[0]);
		if (write_full(gate[1], "", 1) < 0)
			die("open the gate");
		close(gate[1]);
	}
	close(CTRL_FD);
	const int writers[] = {out[1], err[1], pass[1]};
	for (size_t i = 0; i < 3; i++)
		if (writers[i] >= 0)
			close(writers[i]);
	io.src[0] = out[0];
	io.src[1] = err[0];
	io.fd_recv = pass[0];
	if (plan.s0.terminal && plan.s0.forward_stdin && !plan.s0.detach) {
		io.term_in = STDIN_FILENO;
		if (raw_mode(STDIN_FILENO) < 0)
			die("terminal raw mode");
	}
	int code = supervise(pid, &io);
	restore_mode();
	record_exit(&plan.s0, code);
	if (plan.s0.detach) {
		execvp(plan.s0.exit_argv[0], plan.s0.exit_argv); /* conmon's exit command */
		_exit(code);
	}
	_exit(code);
}
