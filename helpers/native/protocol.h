/* Wire constants shared with helpers/protocol.ts, which is the one definition of the
 * format (and draws the handshake). test/unit/protocol.test.ts parses this header and
 * fails if a value here drifts from the TypeScript tables.
 *
 * Plan (Node -> helper on fd 3, first; with OP_DEFER a second, whole plan follows
 * IdmapDone for stage 1):
 *   "RRUNPLAN" | u32 version | u32 body_len | body
 *   body = records: u32 op | u32 flags | u32 argc | argc x (u32 len | len bytes)
 * Messages (both ways, after the plan):
 *   u32 type | u32 len | len bytes of payload
 * Every integer is little-endian; numeric op arguments are 8-byte u64.
 */
#ifndef RRUN_PROTOCOL_H
#define RRUN_PROTOCOL_H

#define PLAN_MAGIC "RRUNPLAN"
#define PLAN_VERSION 1u
#define PLAN_MAX_BYTES (16u << 20)

/* Setup ops (run in order by the container's pid 1 before Ready). */
#define OP_NAMESPACES 1u  /* flags:u64 -- consumed by stage 0 (clone) */
#define OP_MKDIR 2u       /* path, mode:u64 -- with parents, EEXIST is fine */
#define OP_MOUNT 3u       /* source, target, fstype, flags:u64, data -- "" = NULL */
#define OP_REMOUNT 4u     /* target, flags:u64 -- MS_REMOUNT|MS_BIND + locked flags */
#define OP_SYMLINK 5u     /* target, linkpath */
#define OP_WRITE_FILE 6u  /* path, bytes, mode:u64 -- create or truncate */
#define OP_TOUCH 7u       /* path, mode:u64 -- create if missing, never truncate */
#define OP_CHDIR 8u       /* path */
#define OP_PIVOT_ROOT 9u  /* new_root */
#define OP_SETHOSTNAME 10u /* name */
#define OP_SETRLIMIT 11u  /* resource:u64, soft:u64, hard:u64 */
#define OP_EXEC_WAIT 12u  /* argv... -- must exit 0 */
#define OP_ROOT 13u       /* path -- later paths under it are resolved inside it (openat2 RESOLVE_IN_ROOT) */
#define OP_LINK_UP 14u    /* interface name -- IFF_UP on it in the current netns (lo for --network none) */

/* Workload process settings (applied after Start, in the forked workload). */
#define OP_PROC_ARGV 32u  /* argv... */
#define OP_PROC_ENV 33u   /* KEY=VALUE... */
#define OP_PROC_CWD 34u   /* path */
#define OP_PROC_USER 35u  /* uid:u64, gid:u64, setgroups:u64 (0/1), gids:u64... */
#define OP_PROC_CAPS 36u  /* bounding, effective, permitted, inheritable, ambient: u64 masks */
#define OP_PROC_NO_NEW_PRIVS 37u /* no args */
#define OP_PROC_SECCOMP 38u /* struct sock_filter[] bytes */
#define OP_PROC_UMASK 39u /* mask:u64 */

/* Stage-0 records: what the process that stays outside the container does. */
#define OP_STATE 48u      /* lock_path, exit_path -- hold a write lock while alive, write the exit code */
#define OP_DETACH 49u     /* log_path, exit command argv... -- outlive Node, k8s-file log, exec the command at exit */
#define OP_JOIN 50u       /* pid:u64 -- exec: setns into pid's namespaces (OP_NAMESPACES flags), no clone */
#define OP_TERMINAL 51u   /* forward_stdin:u64 -- pty from the container's devpts, proxied by stage 0 */
#define OP_LOG 53u        /* log_path -- attached and kept: the workload's output goes to the caller
                           * and, as podman's conmon does, to this k8s-file log */
#define OP_DEFER 54u      /* no args -- an early plan: namespaces and stage 0 only. Stage 0 clones,
                           * writes the maps and sends NeedIdmap at once, then waits for Proceed
                           * before it takes the state lock and opens the log; stage 1 reads the
                           * whole plan after IdmapDone */
#define OP_IDMAP 52u      /* tool argv without the pid -- two records, uid map then gid map: stage 0
                           * runs both with the child's pid as argv[1] before NeedIdmap */

#define OPF_OPTIONAL 1u /* ENOENT on this op: skip it (masked paths that do not exist) */

/* Messages helper -> Node. */
#define MSG_NEED_IDMAP 1u  /* pid:u32 */
#define MSG_READY 2u       /* - */
#define MSG_ERROR 3u       /* op_index:i32, errno:i32, what (text) */
#define MSG_EXEC_FAILED 4u /* step:u32, errno:i32 */
#define MSG_EXITED 5u      /* exit_code:i32, signal:i32 */
#define MSG_STARTED 6u     /* - : the workload's execve succeeded */
/* Messages Node -> helper. */
#define MSG_IDMAP_DONE 16u
#define MSG_START 17u
#define MSG_PROCEED 18u /* deferred plan: the container's record exists, go on */

/* ExecFailed steps: where the workload gave up before its execve succeeded. */
#define STEP_EXEC 0u
#define STEP_CHDIR 1u
#define STEP_CREDENTIALS 2u
#define STEP_CAPABILITIES 3u
#define STEP_SECCOMP 4u
#define STEP_NO_NEW_PRIVS 5u
#define STEP_TERMINAL 6u

#endif
