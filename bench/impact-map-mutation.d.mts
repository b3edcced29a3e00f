export const DEEP_TRAPS: { file: string; find: string; replace: string }[];
export const PROJECTS: Record<string, { available(): boolean; prepare(dir: string): unknown }>;
export interface ImpactMutationSummary {
  project: string;
  mutants: number;
  killed: number;
  learnSeconds: number;
  static: number;
  map: number;
  oracle: number;
  gapRecovered: number;
  missed: { static: number; map: number };
  alone: Record<string, number>;
  needed: Record<string, number>;
  withoutAny: number;
}
export interface ImpactMutationRow {
  file: string;
  line: number;
  kind: string;
  failing: string[];
  missed: Record<string, string[]>;
  reduction: Record<string, number>;
  reason: string;
}
export function evaluateProject(
  core: unknown,
  name: string,
  options: { mutants: number; seed: number; traps?: boolean; log?: (line: string) => void },
): Promise<{ summary: ImpactMutationSummary; rows: ImpactMutationRow[] }>;
export function printTables(summaries: ImpactMutationSummary[], defences: readonly string[]): void;
