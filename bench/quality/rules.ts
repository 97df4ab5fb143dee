/**
 * Issue 13.2: each of Sovereign's stop and post-processing rules scored with and without it on the
 * oracle's answers. A rule that removes wrong text earns its place; one that cuts correct text
 * must say why, where it lives.
 */
import { postprocessRules, type PostprocessRule } from '../../src/completion/postprocess';
import type { SovereignSwitches } from './sides';

export interface RuleToggle {
  name: string;
  /** where the rule lives */
  where: string;
  without: SovereignSwitches;
}

const post = (...rules: PostprocessRule[]): SovereignSwitches => ({ postprocessOff: new Set(rules) });

export const ruleToggles: readonly RuleToggle[] = [
  { name: 'single line (worker stop + firstLineOnly)', where: 'worker/generationStops.ts, postprocess.ts', without: { stopsOff: { singleLine: true }, postprocessOff: new Set(['firstLineOnly']) } },
  { name: 'single line: worker stop only', where: 'worker/generationStops.ts', without: { stopsOff: { singleLine: true } } },
  { name: 'indentation stop', where: 'fim/indentStop.ts', without: { stopsOff: { indent: true } } },
  { name: 'time budget (1000 ms)', where: 'worker/generationStops.ts', without: { settings: { timeBudgetMs: 0 } } },
  { name: 'max lines (16)', where: 'postprocess.ts capLines', without: post('capLines') },
  ...postprocessRules.filter((r) => r !== 'capLines').map((r) => ({ name: `postprocess: ${r}`, where: 'completion/postprocess.ts', without: post(r) })),
  { name: 'suffix de-duplication (all three)', where: 'completion/postprocess.ts', without: post('trimSuffixOverlap', 'trimOverlapWithLinesBelow', 'repeatsNextLine') },
  { name: 'speculation', where: 'completionPipeline.ts', without: { settings: { speculate: false } } },
];
