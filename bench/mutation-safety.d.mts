export const EXAMPLE_DIR: string;
export function exampleExists(): boolean;
export function lineMutations(line: string): [string, string][];
export function chooseMutants(
  projectDir: string,
  count: number,
  seed: number,
): { file: string; line: number; kind: string; mutated: string }[];
export function commitCleanBaseline(work: string): {
  base: string;
  durations: Map<string, number>;
  brokenAtBase: Set<string>;
};
export function runMutationSafety(options?: {
  mutants?: number;
  seed?: number;
  log?: (line: string) => void;
}): Promise<{
  mutants: number;
  killed: number;
  missed: number;
  missedFiles: string[];
  meanReductionByTime: number;
  meanReductionKilled: number;
  meanOracleReduction: number;
  totalSeconds: number;
  rows: {
    file: string;
    line: number;
    kind: string;
    runAll: boolean;
    selected: number;
    total: number;
    failing: string[];
    missed: string[];
    reduction: number;
    oracle: number;
  }[];
}>;
