import type { SettingsReader } from './settingsReader';

/**
 * The completion settings: their keys, their types and the one reader that applies their bounds.
 * Read per request, so a change applies to the next keystroke. A new completion setting is a
 * package.json entry, a key, a field and a line here, and the code that uses it. (The model file
 * and its context size are read by runtimeSettings.ts.)
 */
export const completionKeys = {
  completionEnabled: 'completion.enabled',
  completionLanguages: 'completion.languages',
  completionMaxTokens: 'completion.maxTokens',
  completionDebounceMs: 'completion.debounceMs',
  completionMaxLines: 'completion.maxLines',
  completionTimeBudgetMs: 'completion.timeBudgetMs',
  completionPrefixLines: 'completion.prefixLines',
  completionSuffixLines: 'completion.suffixLines',
  completionMaxPrefixTokens: 'completion.maxPrefixTokens',
  completionMaxSuffixTokens: 'completion.maxSuffixTokens',
  completionPromptBudgetMs: 'completion.promptBudgetMs',
  completionExtraContext: 'completion.extraContext',
  completionCodebaseContext: 'completion.codebaseContext',
  completionSpeculate: 'completion.speculate',
} as const;

/** Prompt tokens given to the extra context (ring chunks) when it is on; the ring keeps about this much. */
export const extraContextTokens = 2048;

/** The adaptive debounce waits at least this long (or `debounceMs` when that is shorter). */
const debounceFloorMs = 30;

/** What one completion request uses (the CompletionPipeline). */
export interface CompletionSettings {
  maxTokens: number;
  maxLines: number;
  timeBudgetMs: number;
  maxPrefixTokens: number;
  maxSuffixTokens: number;
  /** 0 = no extra context (`sovereign.completion.extraContext` off). */
  maxExtraTokens: number;
  /** See CompletionParams.promptBudgetMs: 0 or absent = the token bounds as given. */
  promptBudgetMs?: number;
  /** Bounds of the adaptive debounce (see adaptiveDebounce.ts). */
  debounceMinMs: number;
  debounceMaxMs: number;
  speculate: boolean;
}

/** And what the editor side uses: whether to ask at all, and how many lines around the cursor. */
export interface CompletionEditorSettings extends CompletionSettings {
  enabled: boolean;
  /** Language id → on/off; `*` for the others. */
  languages: Readonly<Record<string, boolean>>;
  prefixLines: number;
  suffixLines: number;
  /** Look up relevant code from other files for the extra context (only while that is on). */
  codebaseContext: boolean;
}

export function completionSettings(read: SettingsReader): CompletionEditorSettings {
  const k = completionKeys;
  const debounce = read.integer(k.completionDebounceMs, 0, 2000);
  const extraContext = read.boolean(k.completionExtraContext);
  return {
    enabled: read.boolean(k.completionEnabled),
    languages: read.switches(k.completionLanguages),
    prefixLines: read.integer(k.completionPrefixLines, 1),
    suffixLines: read.integer(k.completionSuffixLines, 0),
    maxTokens: read.integer(k.completionMaxTokens, 1, 512),
    maxLines: read.integer(k.completionMaxLines, 1),
    timeBudgetMs: read.integer(k.completionTimeBudgetMs, 0),
    maxPrefixTokens: read.integer(k.completionMaxPrefixTokens, 16),
    maxSuffixTokens: read.integer(k.completionMaxSuffixTokens, 0),
    promptBudgetMs: read.integer(k.completionPromptBudgetMs, 0),
    maxExtraTokens: extraContext ? extraContextTokens : 0,
    debounceMinMs: Math.min(debounce, debounceFloorMs),
    debounceMaxMs: debounce,
    speculate: read.boolean(k.completionSpeculate),
    codebaseContext: read.boolean(k.completionCodebaseContext) && extraContext,
  };
}

/** Whether completion is on for a document of `languageId` (`*` is the default for the others). */
export function completionEnabledFor(s: Pick<CompletionEditorSettings, 'enabled' | 'languages'>, languageId: string): boolean {
  return s.enabled && (s.languages[languageId] ?? s.languages['*'] ?? true);
}
