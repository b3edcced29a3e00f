/**
 * The Node versions ci-optimizer runs on (package.json's engines says the same). The floor is `node:sqlite` without
 * a flag, for coverage.py's .coverage files: Node 22.13 on the 22 line, 23.4 on the 23 line; some dependencies need
 * Node 22 as well. The actions themselves run on the runner's node24.
 */
export const NODE_REQUIREMENT = '>=22.13 <23 || >=23.4';

/** Why this Node version cannot run ci-optimizer, or undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  const [major, minor] = version.split('.').map(Number);
  const ok = major > 23 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13);
  if (ok) return undefined;
  return (
    `Node ${version} is too old: ci-optimizer needs Node 22.13 or newer (23.4 or newer on the 23 line; 24 is what the ` +
    'actions use). Install a current Node and run it again.'
  );
}
