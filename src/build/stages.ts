// A parsed Containerfile split into stages (pure): the ARGs before the first FROM are
// global (visible to FROM lines, and to a stage that redeclares them), each FROM opens
// a stage (`AS name`), and only the stages the target needs are built — the target and,
// transitively, the stages its FROM or `COPY --from` name — as buildah does.
import { syntaxError, type Instruction } from './containerfile.js';
import { expandString, ExpandError, type Lookup } from './expand.js';

export interface Stage {
  index: number;
  name: string | undefined;
  /** The FROM instruction (its base image is `from.rest` before `AS`). */
  from: Instruction;
  base: string;
  instructions: Instruction[];
}

export interface StagePlan {
  globalArgs: Instruction[];
  stages: Stage[];
}

export function planStages(instructions: readonly Instruction[], file: string): StagePlan {
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+[aA][sS]\s+(\S+))?\s*$/.exec(ins.rest);
      if (m === null) throw syntaxError(file, ins.line, `FROM takes an image and an optional AS name, got ${JSON.stringify(ins.rest)}`);
      const name = m[2]?.toLowerCase();
      if (name !== undefined && stages.some((s) => s.name === name)) throw syntaxError(file, ins.line, `duplicate stage name ${JSON.stringify(name)}`);
      stages.push({ index: stages.length, name, from: ins, base: m[1] as string, instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (current !== undefined) current.instructions.push(ins);
    else if (ins.keyword === 'ARG') globalArgs.push(ins);
    else throw syntaxError(file, ins.line, `${ins.keyword} before the first FROM`, 'a Containerfile starts with FROM (only ARG may precede it)');
  }
  if (stages.length === 0) throw syntaxError(file, 1, 'no FROM instruction', 'a Containerfile starts with FROM IMAGE (or FROM scratch)');
  return { globalArgs, stages };
}

/** The stage `ref` names (a name, or an index of an earlier stage), if it is one. */
export function stageRef(plan: StagePlan, ref: string, before = plan.stages.length): Stage | undefined {
  const byName = plan.stages.find((s) => s.name === ref.toLowerCase() && s.index < before);
  if (byName !== undefined) return byName;
  return /^\d+$/.test(ref) && Number(ref) < before ? plan.stages[Number(ref)] : undefined;
}

export function targetStage(plan: StagePlan, target: string | undefined, file: string): Stage {
  if (target === undefined) return plan.stages.at(-1) as Stage;
  const s = plan.stages.find((x) => x.name === target.toLowerCase());
  if (s === undefined) {
    throw syntaxError(file, 1, `the target stage ${JSON.stringify(target)} is not defined`,
      `stages: ${plan.stages.map((x) => x.name ?? String(x.index)).join(', ')}`);
  }
  return s;
}

/** Expand a FROM's image with the global ARGs. */
export function baseOf(stage: Stage, globals: Lookup, file: string): string {
  try {
    return expandString(stage.base, globals);
  } catch (err) {
    if (err instanceof ExpandError) throw syntaxError(file, stage.from.line, err.message);
    throw err;
  }
}

/** Indexes of the stages to build for `target`, in order. */
export function neededStages(plan: StagePlan, target: Stage, globals: Lookup, file: string): number[] {
  const need = new Set<number>();
  const visit = (s: Stage): void => {
    if (need.has(s.index)) return;
    need.add(s.index);
    const deps = [baseOf(s, globals, file), ...s.instructions.filter((i) => i.flags['from'] !== undefined).map((i) => i.flags['from'] as string)];
    for (const d of deps) {
      const dep = stageRef(plan, d, s.index);
      if (dep !== undefined) visit(dep);
    }
  };
  visit(target);
  return [...need].sort((a, b) => a - b);
}
