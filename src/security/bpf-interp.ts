// A classic-BPF interpreter over `struct seccomp_data`, written from the semantics of
// linux/filter.h so that tests (and the fuzzer) can run a compiled filter without
// installing it: 32-bit unsigned A and X registers, 16 scratch words, forward jumps
// only. Pure; throws ERR_BPF on anything the kernel would have refused.
import { RrunError } from '../../oci/errors.js';
import { BPF_MEMWORDS, OP, checkProgram, type Insn } from './bpf.js';

export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Up to six 64-bit arguments; missing ones are 0. */
  args?: readonly bigint[];
}

const U64 = (1n << 64n) - 1n;

/** The 64 bytes the kernel hands the filter (x86_64: little-endian). */
export function seccompDataBytes(d: SeccompData): DataView {
  const view = new DataView(new ArrayBuffer(64));
  view.setUint32(0, d.nr >>> 0, true);
  view.setUint32(4, d.arch >>> 0, true);
  view.setBigUint64(8, (d.instructionPointer ?? 0n) & U64, true);
  for (let i = 0; i < 6; i++) view.setBigUint64(16 + 8 * i, (d.args?.[i] ?? 0n) & U64, true);
  return view;
}

interface Machine {
  a: number;
  x: number;
  mem: number[];
}

type AluOp = (a: number, v: number) => number;
const ALU: ReadonlyMap<number, AluOp> = new Map<number, AluOp>([
  [OP.ALU_ADD_K, (a, v) => a + v], [OP.ALU_SUB_K, (a, v) => a - v], [OP.ALU_MUL_K, (a, v) => Math.imul(a, v)],
  [OP.ALU_DIV_K, (a, v) => Math.floor((a >>> 0) / (v >>> 0))], [OP.ALU_MOD_K, (a, v) => (a >>> 0) % (v >>> 0)],
  [OP.ALU_OR_K, (a, v) => a | v], [OP.ALU_AND_K, (a, v) => a & v], [OP.ALU_XOR_K, (a, v) => a ^ v],
  [OP.ALU_LSH_K, (a, v) => (v >= 32 ? 0 : a << v)], [OP.ALU_RSH_K, (a, v) => (v >= 32 ? 0 : a >>> v)],
]);
const ALU_X_OFFSET = 0x08; // BPF_X source bit

type Cmp = (a: number, v: number) => boolean;
const JUMPS: ReadonlyMap<number, Cmp> = new Map<number, Cmp>([
  [OP.JEQ_K, (a, v) => a === v], [OP.JGT_K, (a, v) => a > v], [OP.JGE_K, (a, v) => a >= v], [OP.JSET_K, (a, v) => (a & v) !== 0],
]);

/**
 * Executes one non-jump, non-return instruction; false when the program must stop
 * (division by a zero X: the kernel's classic BPF then returns 0 from the filter).
 */
function step(m: Machine, ins: Insn, data: DataView, pc: number): boolean {
  const alu = ALU.get(ins.code) ?? ALU.get(ins.code - ALU_X_OFFSET);
  if (alu !== undefined) {
    const v = ALU.has(ins.code) ? ins.k : m.x;
    if ((ins.code === OP.ALU_DIV_X || ins.code === OP.ALU_MOD_X) && v === 0) return false;
    m.a = alu(m.a, v) >>> 0;
    return true;
  }
  switch (ins.code) {
    case OP.LD_W_ABS: m.a = data.getUint32(ins.k, true); break;
    case OP.LD_IMM: m.a = ins.k >>> 0; break;
    case OP.LDX_IMM: m.x = ins.k >>> 0; break;
    case OP.LD_MEM: m.a = m.mem[ins.k] ?? 0; break;
    case OP.LDX_MEM: m.x = m.mem[ins.k] ?? 0; break;
    case OP.ST: m.mem[ins.k] = m.a; break;
    case OP.STX: m.mem[ins.k] = m.x; break;
    case OP.ALU_NEG: m.a = -m.a >>> 0; break;
    case OP.TAX: m.x = m.a; break;
    case OP.TXA: m.a = m.x; break;
    default:
      throw new RrunError({ code: 'ERR_BPF', message: `BPF interpreter: instruction ${pc}: unsupported opcode 0x${ins.code.toString(16)}` });
  }
  return true;
}

/** Runs a checked program; returns the 32-bit SECCOMP_RET_* value and how many instructions ran. */
export function runFilter(prog: readonly Insn[], d: SeccompData): { ret: number; steps: number } {
  checkProgram(prog);
  const data = seccompDataBytes(d);
  const m: Machine = { a: 0, x: 0, mem: new Array<number>(BPF_MEMWORDS).fill(0) };
  let steps = 0;
  for (let pc = 0; pc < prog.length; pc++) {
    const ins = prog[pc] as Insn;
    steps++;
    if (ins.code === OP.RET_K) return { ret: ins.k >>> 0, steps };
    if (ins.code === OP.RET_A) return { ret: m.a >>> 0, steps };
    if (ins.code === OP.JA) {
      pc += ins.k;
      continue;
    }
    const cmp = JUMPS.get(ins.code) ?? JUMPS.get(ins.code - ALU_X_OFFSET);
    if (cmp !== undefined) {
      pc += cmp(m.a >>> 0, (JUMPS.has(ins.code) ? ins.k : m.x) >>> 0) ? ins.jt : ins.jf;
      continue;
    }
    if (!step(m, ins, data, pc)) return { ret: 0, steps };
  }
  throw new RrunError({ code: 'ERR_BPF', message: 'BPF interpreter: fell off the end of the program' });
}
