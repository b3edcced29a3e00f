// One escaping layer for every sink untrusted text reaches (docs/architecture.md#runner-contract: names, artifacts and metrics a pull request
// controls are data): log lines, Markdown (comments, step summaries), mermaid labels and HTML.
export { DEFAULT_MAX_CHARS, plainText, truncate, visibleControls } from './text.ts';
export { guardLogMessage, logValue } from './log.ts';
export { mdCode, mdText, safeLinkUrl } from './markdown.ts';
export { mermaidLabel } from './mermaid.ts';
export { htmlText } from './html.ts';
