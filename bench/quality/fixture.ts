/**
 * The unit test's cases (test/unit/oracleFidelity.test.ts): a fixed sample of the bench's wait
 * points, each with enough of the document around the cursor for the pipeline's windows.
 */
import type { QualityCase } from './cases';

export interface QualityFixture {
  source: string;
  files: { file: string; package?: string }[];
  cases: QualityCase[];
}

const keepLinesBefore = 80;
const keepLinesAfter = 40;
const maxCases = 40;

export function fixtureOf(cases: readonly QualityCase[], files: QualityFixture['files'], command: string): QualityFixture {
  const step = Math.max(1, Math.floor(cases.length / maxCases));
  const picked = cases.filter((_, i) => i % step === 0).slice(0, maxCases);
  return {
    source: `${command}: every ${step}th wait point; the document cut to ${keepLinesBefore} lines before and ${keepLinesAfter} after the cursor`,
    files,
    cases: picked.map((c) => {
      const before = c.prefix.split('\n');
      const after = c.suffix.split('\n');
      const kept = before.slice(-keepLinesBefore);
      return { ...c, prefix: kept.join('\n'), suffix: after.slice(0, keepLinesAfter).join('\n'), line: kept.length - 1 };
    }),
  };
}
