/**
 * What a run says about its refs, from the event and GITHUB_* variables: the basis for scoping what it stores (cache
 * entries, the `s3://` store) the way GitHub's cache scopes by ref.
 */
export interface RunRefs {
  eventName: string;
  /** GITHUB_REF ('' when unknown, e.g. the command line outside Actions). */
  ref: string;
  /** The pull request number when the run's ref is `refs/pull/<n>/...` (pull_request and its review events). */
  pullRequest?: number;
  /** Branch a pull request or merge group goes into (GITHUB_BASE_REF or the payload). */
  baseBranch?: string;
  /** The repository's default branch, from the payload. */
  defaultBranch?: string;
  /**
   * Why the run is untrusted, when it is: it runs with the base repository's rights (and its ref's scope) on input a
   * pull request author controls. undefined for trusted runs.
   */
  untrustedReason?: string;
}

/** Reads RunRefs from the event name, its payload and the environment. */
export function runRefsOf(eventName: string, payload: Record<string, unknown>, env: NodeJS.ProcessEnv): RunRefs {
  const ref = env.GITHUB_REF ?? '';
  const prMatch = /^refs\/pull\/(\d+)\//.exec(ref);
  const repository = record(payload.repository);
  const pr = record(payload.pull_request);
  const group = record(payload.merge_group);
  const baseBranch =
    stringOf(env.GITHUB_BASE_REF) ??
    stringOf(record(pr.base).ref) ??
    stringOf(group.base_ref)?.replace(/^refs\/heads\//, '');
  let untrustedReason: string | undefined;
  if (eventName === 'pull_request_target') {
    untrustedReason = "pull_request_target runs with the base branch's rights on a pull request";
  } else if (eventName === 'issue_comment') {
    untrustedReason = 'issue_comment runs on the default branch for comments anyone can write';
  } else if (eventName === 'workflow_run') {
    const run = record(payload.workflow_run);
    const headRepo = stringOf(record(run.head_repository).full_name);
    const baseRepo = stringOf(repository.full_name) ?? stringOf(env.GITHUB_REPOSITORY);
    if (headRepo === undefined || baseRepo === undefined || headRepo !== baseRepo) {
      untrustedReason = `workflow_run was triggered by a run from ${headRepo ?? 'an unknown repository'} (a fork)`;
    }
  }
  return {
    eventName,
    ref,
    pullRequest: prMatch ? Number(prMatch[1]) : undefined,
    baseBranch: baseBranch?.replace(/^refs\/heads\//, ''),
    defaultBranch: stringOf(repository.default_branch),
    untrustedReason,
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
