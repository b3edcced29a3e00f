import type { CpuProfile } from './parse-profiles.ts';

/** Time attributed to one function, as shares of the profile's total weight. */
export interface FunctionTime {
  name: string;
  file?: string;
  line?: number;
  /** Share of all samples where the function was running itself (0..1). */
  selfShare: number;
  /** Share of all samples where the function was anywhere on the stack (0..1). */
  totalShare: number;
}

/** A function whose share of time moved between the baseline and the PR profile. */
export interface FunctionShift extends FunctionTime {
  baselineSelfShare: number;
  baselineTotalShare: number;
  /** Growth of the self share, in share points (0.1 = ten percentage points). */
  selfGrowth: number;
  totalGrowth: number;
}

/** What a comment shows about profiles. */
export interface ProfileReport {
  topSelf: FunctionTime[];
  topTotal: FunctionTime[];
  /** Present when a baseline profile was given. */
  grown?: FunctionShift[];
  samples: number;
  unit: string;
}

// Functions are keyed by name and file: profilers such as py-spy report the line being executed, which changes
// within one function, so the line shown is the heaviest one seen.
function functionKey(name: string, file: string | undefined): string {
  return `${name}\0${file ?? ''}`;
}

/** Self and total time per function, over the whole profile. */
export function functionTimes(profile: CpuProfile): Map<string, FunctionTime> {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const lineWeight = new Map<string, Map<number, number>>();
  let all = 0;
  for (const stack of profile.stacks) {
    all += stack.weight;
    const seen = new Set<string>();
    stack.frames.forEach((frameId, depth) => {
      const frame = profile.frames[frameId];
      const key = functionKey(frame.name, frame.file);
      if (frame.line !== undefined) {
        const lines = lineWeight.get(key) ?? new Map<number, number>();
        lines.set(frame.line, (lines.get(frame.line) ?? 0) + stack.weight);
        lineWeight.set(key, lines);
      }
      // Recursion puts a function on the stack twice; it still ran for the sample's time only once.
      if (!seen.has(key)) {
        seen.add(key);
        total.set(key, (total.get(key) ?? 0) + stack.weight);
      }
      if (depth === stack.frames.length - 1) self.set(key, (self.get(key) ?? 0) + stack.weight);
    });
  }
  const result = new Map<string, FunctionTime>();
  for (const [key, weight] of total) {
    const [name, file] = key.split('\0');
    const lines = lineWeight.get(key);
    const line = lines ? [...lines.entries()].sort((a, b) => b[1] - a[1])[0][0] : undefined;
    result.set(key, {
      name,
      file: file === '' ? undefined : file,
      line,
      selfShare: all > 0 ? (self.get(key) ?? 0) / all : 0,
      totalShare: all > 0 ? weight / all : 0,
    });
  }
  return result;
}

/** Top-N functions by self and total time, and (with a baseline profile) the ones whose self share grew most. */
export function summarizeProfile(current: CpuProfile, baseline?: CpuProfile, topN = 3): ProfileReport {
  const times = functionTimes(current);
  const list = [...times.values()];
  const bySelf = [...list].sort((a, b) => b.selfShare - a.selfShare || a.name.localeCompare(b.name));
  const byTotal = [...list].sort((a, b) => b.totalShare - a.totalShare || a.name.localeCompare(b.name));
  const report: ProfileReport = {
    topSelf: bySelf.slice(0, topN).filter((f) => f.selfShare > 0),
    // Entry points and runners sit on every stack; at 100% they say nothing about where the time went.
    topTotal: (byTotal.some((f) => f.totalShare < 0.995) ? byTotal.filter((f) => f.totalShare < 0.995) : byTotal).slice(
      0,
      topN,
    ),
    samples: current.stacks.reduce((sum, s) => sum + s.weight, 0),
    unit: current.unit,
  };
  if (baseline) {
    const before = functionTimes(baseline);
    const shifts: FunctionShift[] = list.map((fn) => {
      const old = before.get(functionKey(fn.name, fn.file));
      return {
        ...fn,
        baselineSelfShare: old?.selfShare ?? 0,
        baselineTotalShare: old?.totalShare ?? 0,
        selfGrowth: fn.selfShare - (old?.selfShare ?? 0),
        totalGrowth: fn.totalShare - (old?.totalShare ?? 0),
      };
    });
    report.grown = shifts
      .filter((s) => s.selfGrowth > 0 || s.totalGrowth > 0)
      .sort((a, b) => b.selfGrowth - a.selfGrowth || b.totalGrowth - a.totalGrowth)
      .slice(0, topN);
  }
  return report;
}

/** `name (file:line)` for tables. */
export function describeFunction(fn: { name: string; file?: string; line?: number }): string {
  if (!fn.file) return fn.name;
  return `${fn.name} (${fn.file}${fn.line !== undefined ? `:${fn.line}` : ''})`;
}
