export { createGitHubClient, GitHubPermissionError, GitHubRateLimitError } from './client.ts';
export type { GitHubClient, GitHubClientOptions } from './client.ts';
export { findStickyComment, upsertStickyComment } from './sticky-comment.ts';
export type { IssueRef, StickyComment, UpsertResult } from './sticky-comment.ts';
