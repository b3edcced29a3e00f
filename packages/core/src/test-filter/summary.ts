import { mdCode, mdText } from '../escape/index.ts';
import { details, fitSummary, markdownTable } from '../summary/index.ts';
import type { TestSelection } from './select-tests.ts';

const MAX_LISTED_TESTS = 500;

/** The step summary: the verdict, the counts, and in a collapsible section why each test was selected. */
export function renderSelectionSummary(selection: TestSelection, rangeSource: string): string {
  const sections: string[] = ['### test-filter'];
  const percent = `${(selection.reduction * 100).toFixed(1)}% by ${selection.reductionBasis === 'duration' ? 'test time' : 'test count'}`;
  sections.push(
    markdownTable(
      ['changes', 'changed files', 'selected', 'total', 'skipped'],
      [
        [
          rangeSource,
          selection.changedFiles.length,
          selection.runAll ? `all (${selection.totalCount})` : selection.tests.length,
          selection.totalCount,
          percent,
        ],
      ],
    ),
  );
  if (selection.runAll) {
    sections.push(
      `**Every test runs:**\n\n${selection.reasons.map((reason) => `- ${mdText(reason, 1000)}`).join('\n')}`,
    );
  } else {
    const rows = Object.entries(selection.explanations)
      .slice(0, MAX_LISTED_TESTS)
      .map(([test, why]) => `- ${mdCode(test)}: ${mdText(why, 1000)}`);
    const more = Object.keys(selection.explanations).length - rows.length;
    if (more > 0) rows.push(`- ... and ${more} more`);
    sections.push(
      details(`Why these ${selection.tests.length} tests`, rows.join('\n') || 'No test depends on the changed files.'),
    );
  }
  const filters = Object.entries(selection.filters);
  if (filters.length)
    sections.push(
      markdownTable(
        ['filter', 'matched'],
        filters.map(([name, value]) => [name, value]),
      ),
    );
  return fitSummary(sections);
}
