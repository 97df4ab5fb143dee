/**
 * What the completion benchmark's harness needs from each side: it plays the editor (VS Code),
 * the driver plays the extension.
 */

/** The editor state after an edit or a cursor move. */
export interface DocState {
  /** absolute path */
  fileName: string;
  /** workspace-relative path */
  rel: string;
  /** increases with every edit and cursor move, across files */
  version: number;
  lines: readonly string[];
  line: number;
  character: number;
}

export type SuggestionSource = 'model' | 'cache' | 'typeThrough';

/** What a provider call for one editor state ended with. */
export interface ProviderOutcome {
  version: number;
  /** performance.now() when the provider call returned */
  at: number;
  /** undefined: nothing to show */
  text?: string;
  source?: SuggestionSource;
  /** the suggestion replaces the line's indentation (Sovereign on whitespace-only lines) */
  replaceIndent?: boolean;
  /** the time went, for a model answer (ms) */
  breakdown?: {
    /** debounce (Sovereign) */
    debounceMs: number;
    /** waiting behind requests for earlier states (stale) and the transport */
    staleMs: number;
    /** the request's own prompt evaluation and generation */
    promptMs: number;
    generateMs: number;
    /** prompt tokens: total, evaluated, reused; generated tokens */
    promptTokens: number;
    evaluatedTokens: number;
    reusedTokens: number;
    generatedTokens: number;
  };
}

export interface Driver {
  readonly name: string;
  /** Called with every provider outcome (set by the harness). */
  onOutcome: (o: ProviderOutcome) => void;
  /** A file was opened and became the active editor (previous: the editor it replaced). */
  open(doc: DocState, previous: DocState | undefined): void;
  /** A content change: VS Code cancels the previous provider call and calls the provider again. */
  change(doc: DocState): void;
  /** The cursor moved without an edit: VS Code cancels the pending provider call. */
  move(doc: DocState): void;
  /**
   * The user stopped typing: waits until the extension's background work (speculation, extra
   * context entering the ring and its warm-up) is done, up to `timeoutMs`; false when it was not.
   */
  quiesce(timeoutMs: number): Promise<boolean>;
  /** Side-specific figures for the report. */
  summary(): Record<string, unknown>;
  dispose(): Promise<void>;
}
