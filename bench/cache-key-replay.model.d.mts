// Types for the replay's cache-service model, so tests in TypeScript can exercise it.
export interface ModelEntry {
  key: string;
  version: string;
  scope: string;
  created: number;
  seq: number;
  lastUsed: number;
  size: number;
  meta: unknown;
}
export class ActionsCacheModel {
  constructor(options?: { maxBytes?: number; maxIdleMs?: number });
  entries: ModelEntry[];
  saved: ModelEntry[];
  refusedSaves: number;
  evicted: number;
  expire(now: number): void;
  restore(request: { key: string; restoreKeys: string[]; version: string; scopes: string[]; now: number }): {
    entry: ModelEntry | undefined;
    matchedKey: string;
    outcome: 'exact' | 'partial' | 'miss';
  };
  save(request: { key: string; version: string; scope: string; now: number; size: number; meta: unknown }): boolean;
  missCause(scopes: string[], compatible: (meta: any) => boolean): 'none' | 'evicted' | 'key';
}
export function cacheVersionOf(paths: string[], compression?: string): string;
export function hashFiles(root: string, match: (path: string) => boolean): string;
export const rootRequirements: (path: string) => boolean;
export const anyRequirements: (path: string) => boolean;
export function setupPythonPipKeys(input: {
  runnerOs: string;
  nodeArch: string;
  linuxVersion: string;
  linuxName: string;
  pythonVersion: string;
  hash: string;
}): { key: string; restoreKeys: string[] };
