// Classic BPF as the kernel's seccomp filter runs it (linux/filter.h, linux/bpf_common.h):
// the opcode numbers, the 8-byte `struct sock_filter` encoding the helper hands to
// seccomp(2), and the static checks the kernel applies before it accepts a program
// (kernel/seccomp.c seccomp_check_filter + bpf_check_classic): every jump lands inside
// the program, loads are 32-bit aligned reads inside `struct seccomp_data`, the last
// instruction returns. Pure.
import { RrunError } from '../../oci/errors.js';

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** Opcodes rrun emits or its interpreter accepts (class | size/op | mode/src). */
export const OP = {
  LD_W_ABS: 0x20, // A = *(u32 *)(data + k)
  LD_IMM: 0x00, // A = k
  LDX_IMM: 0x01, // X = k
  LD_MEM: 0x60, // A = M[k]
  LDX_MEM: 0x61, // X = M[k]
  ST: 0x02, // M[k] = A
  STX: 0x03, // M[k] = X
  ALU_ADD_K: 0x04, ALU_SUB_K: 0x14, ALU_MUL_K: 0x24, ALU_DIV_K: 0x34, ALU_OR_K: 0x44, ALU_AND_K: 0x54,
  ALU_LSH_K: 0x64, ALU_RSH_K: 0x74, ALU_NEG: 0x84, ALU_MOD_K: 0x94, ALU_XOR_K: 0xa4,
  ALU_ADD_X: 0x0c, ALU_SUB_X: 0x1c, ALU_MUL_X: 0x2c, ALU_DIV_X: 0x3c, ALU_OR_X: 0x4c, ALU_AND_X: 0x5c,
  ALU_LSH_X: 0x6c, ALU_RSH_X: 0x7c, ALU_MOD_X: 0x9c, ALU_XOR_X: 0xac,
  JA: 0x05, // pc += k
  JEQ_K: 0x15, JGT_K: 0x25, JGE_K: 0x35, JSET_K: 0x45,
  JEQ_X: 0x1d, JGT_X: 0x2d, JGE_X: 0x3d, JSET_X: 0x4d,
  RET_K: 0x06, RET_A: 0x16,
  TAX: 0x07, TXA: 0x87,
} as const;

/** BPF_MAXINSNS: the kernel refuses longer programs. */
export const BPF_MAXINSNS = 4096;
/** sizeof(struct seccomp_data): nr, arch, instruction_pointer, args[6]. */
export const SECCOMP_DATA_SIZE = 64;
/** BPF_MEMWORDS: scratch memory slots. */
export const BPF_MEMWORDS = 16;

const JUMP_CLASS = 0x05;
const CONDITIONAL = new Set<number>([OP.JEQ_K, OP.JGT_K, OP.JGE_K, OP.JSET_K, OP.JEQ_X, OP.JGT_X, OP.JGE_X, OP.JSET_X]);
const MEMORY = new Set<number>([OP.LD_MEM, OP.LDX_MEM, OP.ST, OP.STX]);
const KNOWN = new Set<number>(Object.values(OP));

export const insn = (code: number, k = 0, jt = 0, jf = 0): Insn => ({ code, jt, jf, k: k >>> 0 });

/** The bytes of `struct sock_filter[]` in host (little-endian on x86_64) order. */
export function encodeProgram(prog: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(prog.length * 8);
  const view = new DataView(out.buffer);
  prog.forEach((ins, i) => {
    view.setUint16(i * 8, ins.code, true);
    view.setUint8(i * 8 + 2, ins.jt);
    view.setUint8(i * 8 + 3, ins.jf);
    view.setUint32(i * 8 + 4, ins.k >>> 0, true);
  });
  return out;
}

export function decodeProgram(bytes: Uint8Array): Insn[] {
  if (bytes.length === 0 || bytes.length % 8 !== 0) {
    throw new RrunError({ code: 'ERR_BPF', message: `a BPF program is a non-empty multiple of 8 bytes, got ${bytes.length}` });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let off = 0; off < bytes.length; off += 8) {
    out.push({ code: view.getUint16(off, true), jt: view.getUint8(off + 2), jf: view.getUint8(off + 3), k: view.getUint32(off + 4, true) });
  }
  return out;
}

function bad(pc: number, why: string): RrunError {
  return new RrunError({ code: 'ERR_BPF', message: `invalid BPF program: instruction ${pc}: ${why}`, subject: String(pc) });
}

/** One instruction against the kernel's rules; returns a reason or undefined. */
function checkInsn(ins: Insn, pc: number, length: number): string | undefined {
  if (!KNOWN.has(ins.code)) return `unknown opcode 0x${ins.code.toString(16)}`;
  if (ins.code === OP.LD_W_ABS && (ins.k % 4 !== 0 || ins.k >= SECCOMP_DATA_SIZE)) return `load at offset ${ins.k} is outside seccomp_data or unaligned`;
  if (MEMORY.has(ins.code) && ins.k >= BPF_MEMWORDS) return `scratch slot ${ins.k} out of range`;
  if ((ins.code === OP.ALU_DIV_K || ins.code === OP.ALU_MOD_K) && ins.k === 0) return 'division by constant zero';
  if (ins.code === OP.JA && pc + 1 + ins.k >= length) return `jump past the end (+${ins.k})`;
  if (CONDITIONAL.has(ins.code) && pc + 1 + Math.max(ins.jt, ins.jf) >= length) return `jump past the end (+${Math.max(ins.jt, ins.jf)})`;
  return undefined;
}

/** The kernel's acceptance checks; throws ERR_BPF naming the first bad instruction. */
export function checkProgram(prog: readonly Insn[]): void {
  if (prog.length === 0 || prog.length > BPF_MAXINSNS) throw bad(0, `length ${prog.length} is not within 1..${BPF_MAXINSNS}`);
  prog.forEach((ins, pc) => {
    const why = checkInsn(ins, pc, prog.length);
    if (why !== undefined) throw bad(pc, why);
  });
  const last = prog[prog.length - 1] as Insn;
  if (last.code !== OP.RET_K && last.code !== OP.RET_A) throw bad(prog.length - 1, 'the program does not end with a return');
}

export const isJump = (code: number): boolean => (code & 0x07) === JUMP_CLASS;

/** `jt`/`jf`/`ja` targets as absolute instruction indexes (for dumps and tests). */
export function disassemble(prog: readonly Insn[]): string[] {
  const names = new Map<number, string>(Object.entries(OP).map(([name, code]) => [code, name.toLowerCase()]));
  return prog.map((ins, pc) => {
    const name = names.get(ins.code) ?? `op_0x${ins.code.toString(16)}`;
    const k = `0x${ins.k.toString(16)}`;
    if (ins.code === OP.JA) return `${pc}: ja ${pc + 1 + ins.k}`;
    if (CONDITIONAL.has(ins.code)) return `${pc}: ${name} ${k} ? ${pc + 1 + ins.jt} : ${pc + 1 + ins.jf}`;
    return `${pc}: ${name} ${k}`;
  });
}
