/**
 * Wait points of the replay (bench/replay.ts) as likelihood cases: where the simulated user stops
 * and waits for a suggestion, the whole document around the cursor and what the user types next.
 * The same cases as bench:quality's oracle (./cases.ts). Pure: no model, no I/O.
 */
import { qualityCases, type QualityCase } from './cases';
import type { SourceFile } from '../replay';

/** One wait point (bench:quality's cases): `prefix + suffix` is the document; the cursor sits between them. */
export type LikelihoodCase = Pick<QualityCase, 'file' | 'language' | 'prefix' | 'suffix' | 'truth'>;

/** bench:quality's wait points, in replay order, less those with nothing left to type (no truth to score). */
export async function likelihoodCases(files: SourceFile[], seed: number): Promise<QualityCase[]> {
  return (await qualityCases(files, seed)).filter((c) => c.truth.trim() !== '');
}

/** At most `max` cases, spread evenly over the list (so every file keeps some), in order. */
export function spreadCases<T>(cases: readonly T[], max: number): T[] {
  if (max <= 0 || cases.length <= max) return [...cases];
  return Array.from({ length: max }, (_, i) => cases[Math.floor((i * cases.length) / max)]);
}
