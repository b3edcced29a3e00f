import { existsSync, readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

/**
 * The line coverage of a Cobertura `coverage.xml` (what coverage.py and pytest-cov write) as a percentage, or
 * undefined when the file is absent. A file that is not Cobertura XML is an error naming the file.
 */
export function readCoveragePercent(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
    readFileSync(path, 'utf8'),
  ) as Record<string, unknown>;
  const root = parsed.coverage as Record<string, unknown> | undefined;
  const rate = Number(root?.['line-rate']);
  if (!root || !Number.isFinite(rate)) {
    throw new Error(`${path} is not a Cobertura coverage report (no <coverage line-rate="..."> root).`);
  }
  return Math.round(rate * 10_000) / 100;
}
