// SyscallPolicy → classic BPF for seccomp(SECCOMP_SET_MODE_FILTER). Pure.
//
// Layout:
//   ld arch; jeq AUDIT_ARCH_X86_64 else → ret badArch
//   ld nr;   jge X32_SYSCALL_BIT     then → ret x32
//   a binary search over syscall-number intervals. Consecutive numbers with the same
//   unconditional answer (most of the allow list) share one interval, so ~360 named
//   syscalls become a few dozen leaves and a lookup costs ~log2(leaves) jumps.
//   Each leaf is either `ret K` or an argument block: rules in order, each rule a run
//   of 64-bit comparisons done as two 32-bit halves (high word first) that jumps to the
//   next rule on failure, ending in `ret` of the fallback.
// Conditional jumps reach at most 255 instructions; a tree node whose left side is
// longer jumps to its right side through a `ja` (32-bit offset) trampoline.
import { RrunError } from '../../oci/errors.js';
import { BPF_MAXINSNS, OP, checkProgram, insn, type Insn } from './bpf.js';
import { AUDIT_ARCH_X86_64, X32_SYSCALL_BIT, type Condition, type PolicyRule, type SyscallPolicy } from './seccomp-policy.js';

const OFF_NR = 0;
const OFF_ARCH = 4;
const argLow = (i: number): number => 16 + 8 * i;
const argHigh = (i: number): number => 20 + 8 * i;
const MAX_JUMP = 255;

/** A branch target inside one condition block: fall through, the block's end, or the rule's failure. */
type Target = 'next' | 'pass' | 'fail';
interface SymInsn {
  code: number;
  k: number;
  jt: Target;
  jf: Target;
}

const ld = (off: number): SymInsn => ({ code: OP.LD_W_ABS, k: off, jt: 'next', jf: 'next' });
const and = (k: number): SymInsn => ({ code: OP.ALU_AND_K, k, jt: 'next', jf: 'next' });
const jmp = (code: number, k: number, jt: Target, jf: Target): SymInsn => ({ code, k, jt, jf });

const hi = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);
const lo = (v: bigint): number => Number(v & 0xffffffffn);

/**
 * One 64-bit comparison as 32-bit steps; 'pass' continues with the next condition.
 * LT/LE are GE/GT with the targets swapped: BPF only has jeq/jgt/jge/jset.
 */
function conditionBlock(c: Condition): SymInsn[] {
  const [H, L, vh, vl] = [argHigh(c.index), argLow(c.index), hi(c.value), lo(c.value)];
  switch (c.op) {
    case 'SCMP_CMP_EQ':
      return [ld(H), jmp(OP.JEQ_K, vh, 'next', 'fail'), ld(L), jmp(OP.JEQ_K, vl, 'next', 'fail')];
    case 'SCMP_CMP_NE':
      return [ld(H), jmp(OP.JEQ_K, vh, 'next', 'pass'), ld(L), jmp(OP.JEQ_K, vl, 'fail', 'next')];
    case 'SCMP_CMP_MASKED_EQ':
      return [ld(H), and(vh), jmp(OP.JEQ_K, hi(c.valueTwo), 'next', 'fail'), ld(L), and(vl), jmp(OP.JEQ_K, lo(c.valueTwo), 'next', 'fail')];
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE': {
      const low = c.op === 'SCMP_CMP_GT' ? OP.JGT_K : OP.JGE_K;
      return [ld(H), jmp(OP.JGT_K, vh, 'pass', 'next'), jmp(OP.JEQ_K, vh, 'next', 'fail'), ld(L), jmp(low, vl, 'next', 'fail')];
    }
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE': {
      const low = c.op === 'SCMP_CMP_LT' ? OP.JGE_K : OP.JGT_K;
      return [ld(H), jmp(OP.JGT_K, vh, 'fail', 'next'), jmp(OP.JEQ_K, vh, 'next', 'pass'), ld(L), jmp(low, vl, 'fail', 'next')];
    }
  }
}

/** Resolves a block's symbolic targets; `failAt` is the index (from the block start) of the rule's failure exit. */
function resolveBlock(block: SymInsn[], start: number, failAt: number): Insn[] {
  const end = block.length;
  const offset = (t: Target, pc: number): number => (t === 'next' ? 0 : (t === 'pass' ? end : failAt - start) - pc - 1);
  return block.map((s, pc) => insn(s.code, s.k, offset(s.jt, pc), offset(s.jf, pc)));
}

function ruleCode(rule: PolicyRule): Insn[] {
  const blocks = rule.conditions.map(conditionBlock);
  const length = blocks.reduce((n, b) => n + b.length, 0) + 1; // + ret
  const out: Insn[] = [];
  for (const block of blocks) out.push(...resolveBlock(block, out.length, length));
  out.push(insn(OP.RET_K, rule.ret));
  return out;
}

/** Argument block for one syscall: its rules in order, then the fallback. */
function argumentCode(rules: readonly PolicyRule[], fallback: number): Insn[] {
  const out = rules.flatMap(ruleCode);
  out.push(insn(OP.RET_K, fallback));
  return out;
}

type Leaf = { kind: 'ret'; ret: number } | { kind: 'args'; nr: number; rules: PolicyRule[] };
interface Interval {
  start: number;
  leaf: Leaf;
}

const sameLeaf = (a: Leaf, b: Leaf): boolean => a.kind === 'ret' && b.kind === 'ret' && a.ret === b.ret;

/** Numbers 0…2^30 cut into maximal runs with the same answer. */
function intervals(p: SyscallPolicy): Interval[] {
  const out: Interval[] = [{ start: 0, leaf: { kind: 'ret', ret: p.defaultRet } }];
  const push = (start: number, leaf: Leaf): void => {
    const last = out[out.length - 1] as Interval;
    if (sameLeaf(last.leaf, leaf)) return;
    if (last.start === start) out.pop();
    const prev = out[out.length - 1];
    if (prev === undefined || !sameLeaf(prev.leaf, leaf)) out.push({ start, leaf });
  };
  for (const nr of [...p.syscalls.keys()].sort((a, b) => a - b)) {
    const rules = p.syscalls.get(nr) as PolicyRule[];
    const first = rules[0];
    push(nr, rules.length === 1 && first !== undefined && first.conditions.length === 0 ? { kind: 'ret', ret: first.ret } : { kind: 'args', nr, rules });
    push(nr + 1, { kind: 'ret', ret: p.defaultRet });
  }
  return out;
}

/** Binary search over `iv` (A holds the syscall number); every path ends in a return. */
function searchTree(iv: readonly Interval[], fallback: number): Insn[] {
  if (iv.length === 1) {
    const leaf = (iv[0] as Interval).leaf;
    return leaf.kind === 'ret' ? [insn(OP.RET_K, leaf.ret)] : argumentCode(leaf.rules, fallback);
  }
  const mid = iv.length >> 1;
  const left = searchTree(iv.slice(0, mid), fallback);
  const right = searchTree(iv.slice(mid), fallback);
  const pivot = (iv[mid] as Interval).start;
  if (left.length <= MAX_JUMP) return [insn(OP.JGE_K, pivot, left.length, 0), ...left, ...right];
  return [insn(OP.JGE_K, pivot, 0, 1), insn(OP.JA, left.length), ...left, ...right];
}

export interface CompiledFilter {
  program: Insn[];
  /** Leaves of the number search (for reports). */
  intervals: number;
}

/** The whole filter; checked against the kernel's rules before it is returned. */
export function compilePolicy(p: SyscallPolicy): CompiledFilter {
  const iv = intervals(p);
  const program = [
    insn(OP.LD_W_ABS, OFF_ARCH),
    insn(OP.JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
    insn(OP.RET_K, p.badArchRet),
    insn(OP.LD_W_ABS, OFF_NR),
    insn(OP.JGE_K, X32_SYSCALL_BIT, 0, 1),
    insn(OP.RET_K, p.x32Ret),
    ...searchTree(iv, p.defaultRet),
  ];
  if (program.length > BPF_MAXINSNS) {
    throw new RrunError({
      code: 'ERR_SECCOMP_TOO_LARGE',
      message: `the seccomp profile compiles to ${program.length} BPF instructions; the kernel accepts at most ${BPF_MAXINSNS}`,
      hint: 'merge argument rules or drop some from the profile',
    });
  }
  checkProgram(program);
  return { program, intervals: iv.length };
}
