/**
 * A model of llama.vscode's inline-completion client, driving llama-server's /infill the way the
 * extension does. Written from ggml-org/llama.vscode's source (read, not copied):
 *
 * - src/completion.ts @033bf113: getCompletionItems (one request at a time: a new call polls every
 *   DELAY_BEFORE_COMPL_REQUEST = 150 ms while `isRequestInProgress`, returns when its token was
 *   cancelled, never aborts a request in flight), getCachedCompletion (LRU by
 *   sha256(inputPrefix|inputSuffix|prompt), type-through walk over the current line),
 *   shouldDiscardSuggestion, updateSuggestion, removeLeadingSpaces (operator precedence kept),
 *   cacheFutureSuggestion (speculative request for the state after accepting, sent from a
 *   setTimeout without taking `isRequestInProgress`), cacheFutureAcceptLineSuggestion.
 * - src/llama-server.ts @033bf113 / @009e5b72: createRequestPayload (input_prefix, input_suffix,
 *   input_extra, prompt, n_predict, top_k 40, top_p 0.99, samplers [top_k, top_p, infill],
 *   cache_prompt, n_indent when > 0, t_max_prompt_ms, t_max_predict_ms), updateExtraContext
 *   (n_predict 0 warm-up with empty prefix/suffix/prompt).
 * - src/extra-context.ts @4a1e49cb: periodicRingBufferUpdate (every ring_update_ms = 1000 ms, one
 *   queued chunk enters the ring when no completion started in the last 3 s, then a warm-up),
 *   addFimContextChunks (after a shown suggestion, when the cursor moved > 32 lines since the last
 *   pick: a chunk from [line-1024, line-256] and one from [line+64, line+128]), pickChunk (random
 *   32-line piece of long inputs, Jaccard > 0.9 eviction when asked, queue of 16),
 *   pickChunkAroundCursor.
 * - src/architect.ts @009e5b72: setOnChangeActiveFile (picks around the cursor of
 *   `vscode.window.activeTextEditor`, which inside onDidChangeActiveTextEditor is already the new
 *   editor, twice), setPeriodicRingBufferUpdate.
 * - src/configuration.ts @009e5b72 (defaults), src/lru-cache.ts, src/utils.ts.
 *
 * Deviation: the benchmark sends samplers [top_k, top_p] unless asked for llama.vscode's
 * [top_k, top_p, infill] (completion.ts --infill-sampler): llama.cpp's infill sampler ends a
 * generation with EOT when no candidate reaches p 0.2, which a random-weight model hits within a
 * few tokens, so llama-server would generate fewer tokens than Sovereign.
 *
 * Not modelled: the RAG / embeddings context (needs an embeddings server; off here), the
 * OpenAI-compatible endpoint, status bar, event log, save/copy/cut chunk picks (the replay does not
 * save or copy), manual triggers. `Math.random` in pickChunk is a seeded generator here. Where the
 * extension reads the live TextDocument after an await, this model reads the state the call
 * started with.
 */
import { createHash } from 'node:crypto';
import type { DocState, Driver, ProviderOutcome, SuggestionSource } from './driver';
import { rng } from './replay';
import { sleep } from './stats';

export interface LlamaVscodeConfig {
  endpoint: string;
  n_prefix: number;
  n_suffix: number;
  n_predict: number;
  t_max_prompt_ms: number;
  t_max_predict_ms: number;
  top_p: number;
  max_line_suffix: number;
  max_cache_keys: number;
  ring_n_chunks: number;
  ring_chunk_size: number;
  ring_scope: number;
  ring_update_ms: number;
  RING_UPDATE_MIN_TIME_LAST_COMPL: number;
  MAX_LAST_PICK_LINE_DISTANCE: number;
  MAX_QUEUED_CHUNKS: number;
  DELAY_BEFORE_COMPL_REQUEST: number;
}

/** configuration.ts defaults; the benchmark overrides n_predict and t_max_predict_ms. */
export function llamaVscodeDefaults(endpoint: string): LlamaVscodeConfig {
  return {
    endpoint,
    n_prefix: 256,
    n_suffix: 64,
    n_predict: 128,
    t_max_prompt_ms: 500,
    t_max_predict_ms: 2500,
    top_p: 0.99,
    max_line_suffix: 8,
    max_cache_keys: 250,
    ring_n_chunks: 16,
    ring_chunk_size: 64,
    ring_scope: 1024,
    ring_update_ms: 1000,
    RING_UPDATE_MIN_TIME_LAST_COMPL: 3000,
    MAX_LAST_PICK_LINE_DISTANCE: 32,
    MAX_QUEUED_CHUNKS: 16,
    DELAY_BEFORE_COMPL_REQUEST: 150,
  };
}

interface LlamaResponse {
  content?: string;
  stop_type?: string;
  tokens_evaluated?: number;
  tokens_cached?: number;
  tokens_predicted?: number;
  timings?: { cache_n?: number; prompt_n?: number; prompt_ms?: number; predicted_n?: number; predicted_ms?: number };
}

export interface ServerRequest {
  id: number;
  kind: 'main' | 'speculative' | 'ring';
  sentAt: number;
  doneAt?: number;
  /** another request was in flight when this one was sent (the server, one slot, queues it) */
  behindOther: boolean;
  status?: number;
  error?: string;
  promptTokens?: number;
  evaluatedTokens?: number;
  reusedTokens?: number;
  generatedTokens?: number;
  promptMs?: number;
  generateMs?: number;
  stopType?: string;
  /** main requests: the provider call's token was cancelled when the answer came (wasted) */
  stale?: boolean;
}

export interface LlamaVscodeCall {
  version: number;
  startAt: number;
  /** after the `isRequestInProgress` wait loop */
  acquiredAt?: number;
  endAt?: number;
  requestId?: number;
  result: 'model' | 'cache' | 'typeThrough' | 'none' | 'cancelled' | 'error' | 'pending';
}

interface Token {
  isCancellationRequested: boolean;
}

interface Chunk {
  text: string;
  time: number;
  filename: string;
}

class LRUCache {
  private readonly map = new Map<string, string>();
  constructor(private readonly capacity: number) {}
  get(key: string): string | undefined {
    if (!this.map.has(key)) return undefined;
    const v = this.map.get(key)!;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }
  put(key: string, value: string): void {
    if (this.map.has(key)) this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }
  getHash(s: string): string {
    return createHash('sha256').update(s).digest('hex');
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class LlamaVscodeDriver implements Driver {
  readonly name = 'llama_server';
  onOutcome: (o: ProviderOutcome) => void = () => undefined;
  readonly requests: ServerRequest[] = [];
  readonly calls: LlamaVscodeCall[] = [];
  private readonly cache: LRUCache;
  private isRequestInProgress = false;
  private token: Token | undefined;
  private inFlight = 0;
  /** Provider calls not yet answered, including those waiting for `isRequestInProgress` to clear. */
  private openCalls = 0;
  private readonly random: () => number;
  private readonly dirty = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly pendingTimeouts = new Set<Promise<void>>();
  readonly counters = { cacheHits: 0, typeThroughHits: 0, modelCalls: 0, speculativeRequests: 0, ringWarmups: 0, discarded: 0, httpErrors: 0, staleAnswers: 0 };
  // extra-context.ts state
  private chunks: Chunk[] = [];
  private chunksLines: string[][] = [];
  private queuedChunks: Chunk[] = [];
  private queuedChunksLines: string[][] = [];
  private lastComplStartTime = Date.now();
  private lastLinePick = -9999;
  private ringNEvict = 0;

  constructor(
    private readonly config: LlamaVscodeConfig,
    private readonly options: {
      seed: number;
      samplers: string[];
      /** Answers POST /infill instead of llama-server over HTTP (bench:quality's oracle). */
      infill?: (payload: Record<string, unknown>) => Promise<{ status: number; body: string }>;
    },
  ) {
    this.cache = new LRUCache(config.max_cache_keys);
    this.random = rng(options.seed);
    this.timer = setInterval(() => this.periodicRingBufferUpdate(), config.ring_update_ms);
  }

  // --- editor events ------------------------------------------------------------------------------

  open(doc: DocState, _previous: DocState | undefined): void {
    // architect.ts setOnChangeActiveFile: both picks read window.activeTextEditor, i.e. the new one.
    this.defer(async () => this.pickChunkAroundCursor(doc.line, doc));
    this.defer(async () => this.pickChunkAroundCursor(doc.line, doc));
  }

  change(doc: DocState): void {
    this.dirty.add(doc.rel);
    if (this.token) this.token.isCancellationRequested = true;
    const token: Token = { isCancellationRequested: false };
    this.token = token;
    this.openCalls++;
    void this.getCompletionItems(doc, token).finally(() => this.openCalls--).then((items) => {
      const call = this.calls.find((c) => c.version === doc.version);
      if (token.isCancellationRequested) return; // VS Code drops the answer of a cancelled call
      const at = call?.endAt ?? performance.now();
      if (!items || items.length === 0) {
        this.onOutcome({ version: doc.version, at });
        return;
      }
      const outcome: ProviderOutcome = { version: doc.version, at, text: items[0], source: call && call.result !== 'pending' ? (call.result as SuggestionSource) : 'model' };
      const req = call?.requestId !== undefined ? this.requests[call.requestId] : undefined;
      if (call && req && req.doneAt !== undefined && call.acquiredAt !== undefined && call.result === 'model') {
        const own = (req.promptMs ?? 0) + (req.generateMs ?? 0);
        outcome.breakdown = {
          debounceMs: 0,
          staleMs: call.acquiredAt - call.startAt + Math.max(0, req.doneAt - req.sentAt - own),
          promptMs: req.promptMs ?? 0,
          generateMs: req.generateMs ?? 0,
          promptTokens: req.promptTokens ?? 0,
          evaluatedTokens: req.evaluatedTokens ?? 0,
          reusedTokens: req.reusedTokens ?? 0,
          generatedTokens: req.generatedTokens ?? 0,
        };
      }
      this.onOutcome(outcome);
    });
  }

  move(_doc: DocState): void {
    if (this.token) this.token.isCancellationRequested = true;
    this.token = undefined;
  }

  // --- completion.ts --------------------------------------------------------------------------------

  private async getCompletionItems(document: DocState, token: Token): Promise<string[] | null> {
    const call: LlamaVscodeCall = { version: document.version, startAt: performance.now(), result: 'pending' };
    this.calls.push(call);
    const cfg = this.config;
    const finish = (result: LlamaVscodeCall['result']) => {
      call.result = result;
      call.endAt = performance.now();
    };
    // Start only if the previous request is finished
    while (this.isRequestInProgress) {
      await delay(cfg.DELAY_BEFORE_COMPL_REQUEST);
      if (token.isCancellationRequested) {
        finish('cancelled');
        return null;
      }
    }
    this.isRequestInProgress = true;
    call.acquiredAt = performance.now();
    this.lastComplStartTime = Date.now();

    const position = { line: document.line, character: document.character };
    const prefixLines = getPrefixLines(document, position.line, cfg.n_prefix);
    const suffixLines = getSuffixLines(document, position.line, cfg.n_suffix);
    const lineText = document.lines[position.line];
    const linePrefix = lineText.slice(0, position.character);
    const lineSuffix = lineText.slice(position.character);
    const nindent = lineText.length - lineText.trimStart().length;
    if (lineSuffix.length > cfg.max_line_suffix) {
      this.isRequestInProgress = false;
      finish('none');
      return null;
    }
    let prompt = linePrefix;
    let spacesToRemove = 0;
    if (/^[ \t]*$/.test(prompt)) {
      prompt = '';
      spacesToRemove = linePrefix.length;
    }
    const inputPrefix = prefixLines.join('\n') + '\n';
    const inputSuffix = lineSuffix + '\n' + suffixLines.join('\n') + '\n';

    try {
      let source: SuggestionSource = 'model';
      const hashKey = this.cache.getHash(inputPrefix + '|' + inputSuffix + '|' + prompt);
      const cached = this.getCachedCompletion(hashKey, inputPrefix, inputSuffix, prompt);
      let completion = cached?.text;
      const isCachedResponse = completion !== undefined;
      if (cached) source = cached.typedThrough ? 'typeThrough' : 'cache';
      if (!isCachedResponse) {
        if (token.isCancellationRequested) {
          this.isRequestInProgress = false;
          finish('cancelled');
          return null;
        }
        this.counters.modelCalls++;
        const data = await this.getFIMCompletion(inputPrefix, inputSuffix, prompt, this.chunks, nindent, 'main', call, token);
        completion = data?.content;
      } else if (source === 'cache') this.counters.cacheHits++;
      else this.counters.typeThroughHits++;
      if (completion === undefined || completion.trim() === '') {
        this.isRequestInProgress = false;
        finish('none');
        return [];
      }
      const suggestionLines = completion.split(/\r?\n/);
      removeTrailingNewLines(suggestionLines);
      if (shouldDiscardSuggestion(suggestionLines, document, position, linePrefix, lineSuffix)) {
        this.counters.discarded++;
        this.isRequestInProgress = false;
        finish('none');
        return [];
      }
      completion = updateSuggestion(suggestionLines, lineSuffix);
      if (!isCachedResponse) this.cache.put(hashKey, completion);

      // Run async as not needed for the suggestion
      this.defer(async () => {
        if (!token.isCancellationRequested && lineSuffix.trim() === '') {
          await this.cacheFutureSuggestion(inputPrefix, inputSuffix, prompt, suggestionLines);
          this.cacheFutureAcceptLineSuggestion(inputPrefix, inputSuffix, prompt, suggestionLines);
        }
        if (!token.isCancellationRequested) this.addFimContextChunks(position, document);
      });
      this.isRequestInProgress = false;
      finish(source);
      return [removeLeadingSpaces(completion, spacesToRemove)];
    } catch {
      this.isRequestInProgress = false;
      finish('error');
      return [];
    }
  }

  private getCachedCompletion(hashKey: string, inputPrefix: string, inputSuffix: string, prompt: string): { text: string; typedThrough: boolean } | undefined {
    const result = this.cache.get(hashKey);
    if (result !== undefined) return { text: result, typedThrough: false };
    for (let i = prompt.length; i >= 0; i--) {
      const newPrompt = prompt.slice(0, i);
      const promptCut = prompt.slice(i);
      const hash = this.cache.getHash(inputPrefix + '|' + inputSuffix + '|' + newPrompt);
      const r = this.cache.get(hash);
      if (r !== undefined && promptCut === r.slice(0, promptCut.length)) return { text: r.slice(prompt.length - newPrompt.length), typedThrough: true };
    }
    return undefined;
  }

  private async cacheFutureSuggestion(inputPrefix: string, inputSuffix: string, prompt: string, suggestionLines: string[]): Promise<void> {
    let futureInputPrefix = inputPrefix;
    const futureInputSuffix = inputSuffix;
    let futurePrompt = prompt + suggestionLines[0];
    if (suggestionLines.length > 1) {
      futureInputPrefix = inputPrefix + prompt + suggestionLines.slice(0, -1).join('\n') + '\n';
      futurePrompt = suggestionLines[suggestionLines.length - 1];
      const futureInputPrefixLines = futureInputPrefix.slice(0, -1).split(/\r?\n/);
      if (futureInputPrefixLines.length > this.config.n_prefix) {
        futureInputPrefix = futureInputPrefixLines.slice(futureInputPrefixLines.length - this.config.n_prefix).join('\n') + '\n';
      }
    }
    const futureHashKey = this.cache.getHash(futureInputPrefix + '|' + futureInputSuffix + '|' + futurePrompt);
    if (this.cache.get(futureHashKey) !== undefined) return;
    this.counters.speculativeRequests++;
    const futureData = await this.getFIMCompletion(futureInputPrefix, futureInputSuffix, futurePrompt, this.chunks, prompt.length - prompt.trimStart().length, 'speculative');
    if (futureData?.content !== undefined && futureData.content.trim() !== '') {
      const lines = futureData.content.split(/\r?\n/);
      removeTrailingNewLines(lines);
      this.cache.put(futureHashKey, lines.join('\n'));
    }
  }

  private cacheFutureAcceptLineSuggestion(inputPrefix: string, inputSuffix: string, prompt: string, suggestionLines: string[]): void {
    if (suggestionLines.length > 1) {
      const futureInputPrefix = inputPrefix + prompt + suggestionLines[0] + '\n';
      const futureHashKey = this.cache.getHash(futureInputPrefix + '|' + inputSuffix + '|' + '');
      if (this.cache.get(futureHashKey) !== undefined) return;
      this.cache.put(futureHashKey, suggestionLines.slice(1).join('\n'));
    }
  }

  // --- llama-server.ts ------------------------------------------------------------------------------

  private async getFIMCompletion(
    inputPrefix: string,
    inputSuffix: string,
    prompt: string,
    chunks: Chunk[],
    nindent: number,
    kind: 'main' | 'speculative',
    call?: LlamaVscodeCall,
    token?: Token,
  ): Promise<LlamaResponse | undefined> {
    const cfg = this.config;
    const payload = {
      input_prefix: inputPrefix,
      input_suffix: inputSuffix,
      input_extra: chunks,
      prompt,
      n_predict: cfg.n_predict,
      top_k: 40,
      top_p: 0.99,
      stream: false,
      samplers: this.options.samplers,
      cache_prompt: true,
      ...(nindent && { n_indent: nindent }),
      t_max_prompt_ms: cfg.t_max_prompt_ms,
      t_max_predict_ms: cfg.t_max_predict_ms,
    };
    const { request, data } = await this.post(payload, kind);
    if (call) call.requestId = request.id;
    if (token && kind === 'main') {
      request.stale = token.isCancellationRequested;
      if (request.stale) this.counters.staleAnswers++;
    }
    if (request.error) throw new Error(request.error);
    return data;
  }

  private updateExtraContext(chunks: Chunk[]): void {
    this.counters.ringWarmups++;
    void this.post(
      {
        input_prefix: '',
        input_suffix: '',
        input_extra: chunks,
        prompt: '',
        n_predict: 0,
        samplers: [],
        cache_prompt: true,
        t_max_prompt_ms: this.config.t_max_prompt_ms,
        t_max_predict_ms: 1,
      },
      'ring',
    );
  }

  private async post(payload: unknown, kind: ServerRequest['kind']): Promise<{ request: ServerRequest; data?: LlamaResponse }> {
    const request: ServerRequest = { id: this.requests.length, kind, sentAt: performance.now(), behindOther: this.inFlight > 0 };
    this.requests.push(request);
    this.inFlight++;
    try {
      const res = this.options.infill
        ? await this.options.infill(payload as Record<string, unknown>)
        : await fetch(`${this.config.endpoint}/infill`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) }).then(async (r) => ({ status: r.status, body: await r.text() }));
      request.status = res.status;
      const body = res.body;
      request.doneAt = performance.now();
      if (res.status !== 200) {
        request.error = `HTTP ${res.status}: ${body.slice(0, 300)}`;
        this.counters.httpErrors++;
        return { request };
      }
      const data = JSON.parse(body) as LlamaResponse;
      const t = data.timings ?? {};
      request.promptTokens = data.tokens_evaluated;
      request.evaluatedTokens = t.prompt_n;
      request.reusedTokens = t.cache_n;
      request.generatedTokens = t.predicted_n;
      request.promptMs = t.prompt_ms;
      request.generateMs = t.predicted_ms;
      request.stopType = data.stop_type;
      return { request, data };
    } catch (e) {
      request.doneAt = performance.now();
      request.error = String(e);
      this.counters.httpErrors++;
      return { request };
    } finally {
      this.inFlight--;
    }
  }

  // --- extra-context.ts -----------------------------------------------------------------------------

  private periodicRingBufferUpdate(): void {
    if (this.queuedChunks.length === 0 || Date.now() - this.lastComplStartTime < this.config.RING_UPDATE_MIN_TIME_LAST_COMPL) return;
    const lines = this.queuedChunksLines.shift();
    if (lines !== undefined) {
      this.chunksLines.push(lines);
      this.chunks.push(this.queuedChunks.shift()!);
      while (this.chunks.length > this.config.ring_n_chunks) {
        this.chunks.shift();
        this.chunksLines.shift();
      }
    }
    this.updateExtraContext(this.chunks);
  }

  private addFimContextChunks(position: { line: number }, document: DocState): void {
    const cfg = this.config;
    const deltaLines = Math.abs(position.line - this.lastLinePick);
    if (deltaLines > cfg.MAX_LAST_PICK_LINE_DISTANCE) {
      const last = document.lines.length - 1;
      const prefixChunkLines = getDocumentLines(Math.max(0, position.line - cfg.ring_scope), Math.max(0, position.line - cfg.n_prefix), document);
      this.pickChunk(prefixChunkLines, false, false, document);
      const suffixChunkLines = getDocumentLines(Math.min(last, position.line + cfg.n_suffix), Math.min(last, position.line + cfg.n_suffix + cfg.ring_chunk_size), document);
      this.pickChunk(suffixChunkLines, false, false, document);
      this.lastLinePick = position.line;
    }
  }

  private pickChunk(lines: string[], noMod: boolean, doEvict: boolean, doc: DocState): void {
    const cfg = this.config;
    if (noMod && this.dirty.has(doc.rel)) return;
    if (cfg.ring_n_chunks <= 0) return;
    if (lines.length < 3) return;
    let newChunkLines: string[];
    if (lines.length + 1 < cfg.ring_chunk_size) newChunkLines = lines;
    else {
      const startLine = Math.floor(this.random() * Math.max(0, lines.length - cfg.ring_chunk_size / 2 + 1));
      const endLine = Math.min(startLine + cfg.ring_chunk_size / 2, lines.length);
      newChunkLines = lines.slice(startLine, endLine);
    }
    const chunkString = newChunkLines.join('\n') + '\n';
    if (doEvict && (this.chunks.some((c) => c.text === chunkString) || this.queuedChunks.some((c) => c.text === chunkString))) return;
    if (doEvict) {
      for (let i = this.chunks.length - 1; i >= 0; i--) {
        if (jaccardSimilarity(this.chunksLines[i], newChunkLines) > 0.9) {
          this.chunks.splice(i, 1);
          this.chunksLines.splice(i, 1);
          this.ringNEvict++;
        }
      }
      for (let i = this.queuedChunks.length - 1; i >= 0; i--) {
        if (jaccardSimilarity(this.queuedChunksLines[i], newChunkLines) > 0.9) {
          this.queuedChunks.splice(i, 1);
          this.queuedChunksLines.splice(i, 1);
          this.ringNEvict++;
        }
      }
    }
    if (this.queuedChunks.length >= cfg.MAX_QUEUED_CHUNKS) {
      this.queuedChunks.splice(0, 1);
      this.queuedChunksLines.splice(0, 1);
    }
    this.queuedChunks.push({ text: chunkString, time: Date.now(), filename: doc.fileName });
    this.queuedChunksLines.push(newChunkLines);
  }

  private pickChunkAroundCursor(cursorLine: number, doc: DocState): void {
    const half = this.config.ring_chunk_size / 2;
    const lines = getDocumentLines(Math.max(0, cursorLine - half), Math.min(cursorLine + half, doc.lines.length - 1), doc);
    this.pickChunk(lines, true, true, doc);
  }

  // --- plumbing -------------------------------------------------------------------------------------

  /** setTimeout(async () => …, 0), tracked so settle() can wait for it. */
  private defer(fn: () => Promise<void>): void {
    const p: Promise<void> = delay(0)
      .then(fn)
      .catch((e: unknown) => {
        process.stderr.write(`[llama.vscode model] background task failed: ${String(e)}\n`);
      })
      .finally(() => this.pendingTimeouts.delete(p));
    this.pendingTimeouts.add(p);
  }

  async quiesce(timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    // A call waiting for the one before it (DELAY_BEFORE_COMPL_REQUEST polls) holds no request and
    // no lock: between the two, nothing else says the side is busy. Without `openCalls` the wait
    // ended in that gap, the waiting call then sent its request, and llama-server computed for
    // 12 s while the other side typed (apply.js#1, and llama-bench's sample after the first file).
    const busy = () => this.openCalls > 0 || this.inFlight > 0 || this.isRequestInProgress || this.pendingTimeouts.size > 0 || this.queuedChunks.length > 0;
    while (busy() && performance.now() < end) await sleep(50);
    if (busy()) return false;
    // The server too, as a second check: it answers for any work no counter of ours sees. (The slow
    // llama-bench sample after llama-server's session that first led to this check was the open
    // calls above; sides.ts now reports any CPU a side uses while the other types.)
    while (!this.options.infill && (await this.serverProcessing()) && performance.now() < end) await sleep(100);
    return this.options.infill !== undefined || !(await this.serverProcessing());
  }

  /** Whether any llama-server slot is processing (GET /slots); false when the server cannot say. */
  private async serverProcessing(): Promise<boolean> {
    try {
      const slots = (await (await fetch(`${this.config.endpoint}/slots`)).json()) as { is_processing?: boolean }[];
      return Array.isArray(slots) && slots.some((slot) => slot.is_processing === true);
    } catch {
      return false;
    }
  }

  /** The background work started so far (speculative requests after a shown suggestion) is done. */
  async idle(): Promise<void> {
    while (this.pendingTimeouts.size > 0 || this.inFlight > 0) await Promise.all([...this.pendingTimeouts, delay(0)]);
  }

  summary(): Record<string, unknown> {
    return {
      counters: { ...this.counters },
      ring_chunks: this.chunks.length,
      ring_evictions: this.ringNEvict,
      queued_chunks: this.queuedChunks.length,
    };
  }

  async dispose(): Promise<void> {
    clearInterval(this.timer);
    if (this.token) this.token.isCancellationRequested = true;
  }
}

// --- utils.ts / completion.ts helpers ---------------------------------------------------------------

function getPrefixLines(doc: DocState, line: number, nPrefix: number): string[] {
  const startLine = Math.max(0, line - nPrefix);
  return Array.from({ length: line - startLine }, (_, i) => doc.lines[startLine + i]);
}

function getSuffixLines(doc: DocState, line: number, nSuffix: number): string[] {
  const endLine = Math.min(doc.lines.length - 1, line + nSuffix);
  return Array.from({ length: endLine - line }, (_, i) => doc.lines[line + 1 + i]);
}

function getDocumentLines(startLine: number, endLine: number, doc: DocState): string[] {
  return Array.from({ length: endLine - startLine + 1 }, (_, i) => doc.lines[startLine + i]);
}

function removeTrailingNewLines(lines: string[]): void {
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
}

function lineAt(doc: DocState, i: number): string {
  const l = doc.lines[i];
  if (l === undefined) throw new Error(`Illegal value for line ${i}`); // as TextDocument.lineAt
  return l;
}

export function shouldDiscardSuggestion(
  suggestionLines: string[],
  document: DocState,
  position: { line: number },
  linePrefix: string,
  lineSuffix: string,
): boolean {
  if (suggestionLines.length === 0) return true;
  if (suggestionLines.length === 1 && suggestionLines[0].trim() === '') return true;
  if (position.line === document.lines.length - 1) return false;
  if (
    suggestionLines.length > 1 &&
    (suggestionLines[0].trim() === '' || suggestionLines[0].trim() === lineSuffix.trim()) &&
    suggestionLines.slice(1).every((value, index) => value === lineAt(document, position.line + 1 + index))
  ) {
    return true;
  }
  if (suggestionLines.length === 1 && suggestionLines[0] === lineSuffix) return true;
  let firstNonEmptyDocLine = position.line + 1;
  while (firstNonEmptyDocLine < document.lines.length && lineAt(document, firstNonEmptyDocLine).trim() === '') firstNonEmptyDocLine++;
  if (firstNonEmptyDocLine >= document.lines.length) return false;
  if (linePrefix + suggestionLines[0] === lineAt(document, firstNonEmptyDocLine)) {
    if (suggestionLines.length === 1) return true;
    if (suggestionLines.length === 2 && suggestionLines[1] === lineAt(document, firstNonEmptyDocLine + 1).slice(0, suggestionLines[1].length)) return true;
    if (suggestionLines.length > 2 && suggestionLines.slice(1).every((value, index) => value === lineAt(document, firstNonEmptyDocLine + 1 + index))) return true;
  }
  return false;
}

export function updateSuggestion(suggestionLines: string[], lineSuffix: string): string {
  if (lineSuffix.trim() !== '') {
    if (suggestionLines[0].endsWith(lineSuffix)) return suggestionLines[0].slice(0, -lineSuffix.length);
    if (suggestionLines.length > 1) return suggestionLines[0];
  }
  return suggestionLines.join('\n');
}

/** completion.ts's removeLeadingSpaces, including its `&& … || …` precedence. */
export function removeLeadingSpaces(str: string, n: number): string {
  let i = 0;
  while ((i < str.length && i < n && str[i] === ' ') || str[i] === '\t') i++;
  return str.slice(i);
}

function jaccardSimilarity(lines0: string[], lines1: string[]): number {
  if (lines0.length === 0 && lines1.length === 0) return 1;
  const setA = new Set(lines0);
  const setB = new Set(lines1);
  const intersection = new Set([...setA].filter((x) => setB.has(x)));
  const union = new Set([...setA, ...setB]);
  return intersection.size / union.size;
}
