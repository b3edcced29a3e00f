import { readFileSync } from 'node:fs';
import { runRefsOf, type RunRefs } from './run-refs.ts';
import { UserError } from '../errors/index.ts';

/** `ref`: entries are scoped by the ref that wrote them (GitHub's cache semantics); `shared`: one pool for all. */
export type ScopeMode = 'ref' | 'shared';

/** Where a run writes and, in order, where it reads. Scopes are key prefixes ('' is the unscoped root). */
export interface StoreScopes {
  mode: ScopeMode;
  write: string;
  read: string[];
}

export function parseScopeMode(value: string, input = 'scope'): ScopeMode {
  const mode = value.trim() || 'ref';
  if (mode !== 'ref' && mode !== 'shared') {
    throw new UserError(
      `Input '${input}' has value '${value}'; use 'ref' (entries scoped by branch and pull request, the default) or ` +
        "'shared' (one pool that every run, pull requests included, reads and writes).",
    );
  }
  return mode;
}

/** A branch or tag name as one key segment: `feature/x` -> `feature%2Fx` (IAM patterns stay simple). */
function segment(name: string): string {
  return encodeURIComponent(name);
}

/** The scope of one ref: `branch/<name>`, `pr/<n>`, `tag/<name>`, or `ref/<ref>` for anything else. */
export function scopeOfRef(ref: string): string | undefined {
  if (ref === '') return undefined;
  const pr = /^refs\/pull\/(\d+)\//.exec(ref);
  if (pr) return `pr/${pr[1]}`;
  if (ref.startsWith('refs/heads/')) return `branch/${segment(ref.slice('refs/heads/'.length))}`;
  if (ref.startsWith('refs/tags/')) return `tag/${segment(ref.slice('refs/tags/'.length))}`;
  return `ref/${segment(ref)}`;
}

/**
 * GitHub's cache rules as key prefixes: a run writes under its own ref's scope and reads its own, then its base
 * branch's, then the default branch's; never another pull request's. Outside Actions (no GITHUB_REF) and with
 * `shared`, everything is the unscoped root.
 */
export function storeScopes(refs: RunRefs, mode: ScopeMode): StoreScopes {
  const own = scopeOfRef(refs.ref);
  if (mode === 'shared' || own === undefined) return { mode: 'shared', write: '', read: [''] };
  const read = [own];
  if (refs.baseBranch) read.push(`branch/${segment(refs.baseBranch)}`);
  if (refs.defaultBranch) read.push(`branch/${segment(refs.defaultBranch)}`);
  return { mode, write: own, read: [...new Set(read)] };
}

/** `prefix` + `scope`, '/'-joined without empty segments. */
export function scopedPrefix(prefix: string, scope: string): string {
  return [prefix, scope].filter((part) => part !== '').join('/');
}

/** Key prefixes for the `s3://` store: where this run writes and, in order, where it reads. */
export function storePrefixes(prefix: string, scopes: StoreScopes): { write: string; read: string[] } {
  return { write: scopedPrefix(prefix, scopes.write), read: scopes.read.map((scope) => scopedPrefix(prefix, scope)) };
}

/**
 * The scopes of the run described by the environment (GITHUB_REF, GITHUB_BASE_REF, the event file), for the
 * `s3://` store. `CI_OPTIMIZER_S3_SCOPE=shared` opts out. Outside GitHub Actions there is no ref: the unscoped root.
 * An untrusted trigger (pull_request_target, issue_comment, fork workflow_run) runs on the base branch's ref but
 * must not write its scope: its writes go to `untrusted/<event>`, which it reads first and no other run reads.
 */
export function scopesFromEnvironment(env: NodeJS.ProcessEnv): StoreScopes {
  if (env.GITHUB_ACTIONS !== 'true') return { mode: 'shared', write: '', read: [''] };
  let payload: Record<string, unknown> = {};
  try {
    if (env.GITHUB_EVENT_PATH)
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as Record<string, unknown>;
  } catch {
    // No readable event: the default branch stays unknown and only the run's own scope is read.
  }
  const refs = runRefsOf(env.GITHUB_EVENT_NAME ?? '', payload, env);
  const scopes = storeScopes(refs, parseScopeMode(env.CI_OPTIMIZER_S3_SCOPE ?? '', 'CI_OPTIMIZER_S3_SCOPE'));
  if (scopes.mode === 'shared' || refs.untrustedReason === undefined) return scopes;
  const write = `untrusted/${segment(refs.eventName)}`;
  return { mode: scopes.mode, write, read: [write, ...scopes.read] };
}
