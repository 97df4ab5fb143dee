/**
 * The extension ⇄ worker protocol: every request and notification, declared once and imported
 * by both sides. Transport: vscode-jsonrpc over the fork's IPC channel; VS Code cancellation
 * travels as `$/cancelRequest` and becomes an AbortSignal in the worker.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { ErrorKind, ModelProblem } from '../common/errors';
import type { GpuSetting, ModelLoadSettings, ModelRole } from '../config/runtimeSettings';

// The worker imports only this file: the setting types it needs travel through it (types only).
export type { GpuSetting, ModelRole };

export interface LoadModelParams extends ModelLoadSettings {
  role: ModelRole;
}

/** A role's model is loaded again when any of its load settings changed (the client and the worker agree). */
export function sameLoad(a: ModelLoadSettings, b: ModelLoadSettings): boolean {
  return a.path === b.path && a.contextSize === b.contextSize && a.threads === b.threads && a.adaptiveThreads === b.adaptiveThreads && a.gpu === b.gpu && !!a.promptLookup === !!b.promptLookup && !!a.cacheReuse === !!b.cacheReuse && (a.cachedPlaces ?? 1) === (b.cachedPlaces ?? 1);
}

export interface ModelInfo {
  role: ModelRole;
  path: string;
  name: string;
  architecture: string;
  fileBytes: number;
  contextSize: number;
  /** Memory of the context: KV cache and compute buffers (node-llama-cpp's estimate from the GGUF). */
  kvBytes: number;
  threads: number;
  /** The backend llama.cpp runs on: 'cpu', 'cuda', 'vulkan' or 'metal'. */
  gpu: string;
  gpuLayers: number;
  /** The fill-in-the-middle prompt family detected from the vocabulary; undefined = none. */
  fim: string | undefined;
  chatWrapper: string | undefined;
  loadMs: number;
}

/** A piece of another file, given to the model as extra context. */
export interface ContextChunk {
  path: string;
  text: string;
}

export interface CompletionParams {
  prefix: string;
  suffix: string;
  /** Extra context, most stable first: it goes first in the prompt so its KV state is reused. */
  extra?: ContextChunk[];
  /** Workspace-relative path of the file and the workspace name, for repo-level prompts. */
  filePath?: string;
  repoName?: string;
  /** 0 = only evaluate the prompt (warm the KV cache), generate nothing. */
  maxTokens: number;
  /** Bounds, in tokens, of the text taken before and after the cursor and of the extra context. */
  maxPrefixTokens: number;
  maxSuffixTokens: number;
  /** Absent or 0 = no extra context. */
  maxExtraTokens?: number;
  /** After this many ms of generation, stop at the next line break (0 = no budget). */
  timeBudgetMs?: number;
  /**
   * About how long evaluating a whole prompt may take on this machine (after a cursor jump or a
   * file switch); the worker lowers the token bounds to fit its measured prompt speed, and the
   * suffix (evaluated again on each keystroke) to a sixteenth of it. 0 = the bounds as given.
   */
  promptBudgetMs?: number;
  /** Indentation (columns) of the cursor's line: a generated line indented less ends the block. */
  indent?: number;
  /** Stop at the first line break (text sits right of the cursor). */
  singleLine?: boolean;
}

export interface CompletionStats {
  /** Prompt tokens whose KV state was kept from the previous request. */
  reusedTokens: number;
  /**
   * Of those, tokens kept at a new position (planKvReuse.ts: runs moved down after a jump or a
   * window shift). Absent when that reuse is off.
   */
  shiftedTokens?: number;
  /** Prompt tokens evaluated for this request. */
  evaluatedTokens: number;
  generatedTokens: number;
  promptMs: number;
  generateMs: number;
  totalMs: number;
  /**
   * Prompt lookup (ModelLoadSettings.promptLookup): tokens drafted from the prompt and verified,
   * and how many of them the model confirmed. Absent when it is off.
   */
  draftedTokens?: number;
  acceptedTokens?: number;
  /** Why generation ended. */
  stop: 'eog' | 'maxTokens' | 'timeBudget' | 'indent' | 'singleLine' | 'stopToken' | 'warmup';
  /** Threads generation ran with at the end (fewer than configured while the machine is busy); absent from a team server. */
  threads?: number;
}

export interface CompletionResult {
  text: string;
  stats: CompletionStats;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatParams {
  /** Matches the streamed `chatChunk` notifications to this request. */
  streamId: string;
  /** Ending with an assistant message: that answer is continued (the result is only the new text). */
  messages: ChatMessage[];
  maxTokens: number;
}

export interface ChatResult {
  text: string;
  /** True when generation was stopped by cancellation (the partial text is kept). */
  stopped: boolean;
  /** True when the answer ended at `maxTokens`, not where the model ended it: it can be continued. */
  cut?: boolean;
  stats: { promptTokens: number; generatedTokens: number; firstTokenMs: number; totalMs: number };
}

export interface ChatChunk {
  streamId: string;
  text: string;
}

/** What the worker did with completion requests since it started (read by the load test). */
export interface CompletionCounts {
  received: number;
  /** Requests whose prompt evaluation began; the others were superseded or cancelled before. */
  evaluated: number;
  /** Requests that reached token generation. */
  generated: number;
  /** Requests answered with a result; the others ended cancelled, superseded or failed. */
  completed: number;
  /** Prompt tokens of the requests whose evaluation began, cancelled ones included. */
  promptTokens: number;
  /** Of those, the tokens evaluated (the rest came from the KV cache); a cancelled request counts what it evaluated before it stopped. */
  evaluatedTokens: number;
}

/** What the worker embedded since it started (the priority test reads it between completions). */
export interface EmbeddingCounts {
  /** Texts whose embedding finished. */
  texts: number;
}

export interface WorkerStatus {
  pid: number;
  rssBytes: number;
  models: ModelInfo[];
  completions: CompletionCounts;
  embeddings: EmbeddingCounts;
}

export interface WorkerLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** `data` of every ResponseError the worker sends. */
export interface WorkerErrorData {
  kind: ErrorKind;
}

export const loadModelRequest = new RequestType<LoadModelParams, ModelInfo, WorkerErrorData>('sovereign/loadModel');
export const completeRequest = new RequestType<CompletionParams, CompletionResult, WorkerErrorData>('sovereign/complete');
export const chatRequest = new RequestType<ChatParams, ChatResult, WorkerErrorData>('sovereign/chat');
/**
 * Embeddings of texts with the embedding model, in order. One text is one step below completion's
 * priority: a completion that arrives waits for the text being embedded, never for the rest.
 */
export interface EmbedParams {
  texts: string[];
}
export interface EmbedResult {
  /** Unit length (cosine similarity is their dot product); an empty text gets an empty vector. */
  vectors: number[][];
  dimensions: number;
  /** Texts longer than the embedding context: their start was embedded. */
  truncated: number;
}
export const embedRequest = new RequestType<EmbedParams, EmbedResult, WorkerErrorData>('sovereign/embed');
/** Token counts of texts with a loaded role's tokenizer (chat shows them on its context chips). */
export interface CountTokensParams {
  role: ModelRole;
  texts: string[];
}
export const countTokensRequest = new RequestType<CountTokensParams, number[], WorkerErrorData>('sovereign/countTokens');
/** Exact size of a chat prompt as the chat model's template renders it (to fit it to the window). */
export const chatPromptTokensRequest = new RequestType<{ messages: ChatMessage[] }, number, WorkerErrorData>('sovereign/chatPromptTokens');
export const statusRequest = new RequestType0<WorkerStatus, void>('sovereign/status');
export const unloadRequest = new RequestType<{ role?: ModelRole }, void, void>('sovereign/unload');
/** Dispose every model and context, then exit the process. */
export const shutdownRequest = new RequestType0<void, void>('sovereign/shutdown');

export const chatChunkNotification = new NotificationType<ChatChunk>('sovereign/chatChunk');
export const logNotification = new NotificationType<WorkerLog>('sovereign/log');

/** This machine as node-llama-cpp sees it from the worker (models/catalog.ts picks presets from it). */
export interface HardwareInfo {
  /** The backend llama.cpp runs on: 'cpu' (no GPU), 'cuda', 'vulkan' or 'metal'. */
  gpu: 'cpu' | 'cuda' | 'vulkan' | 'metal';
  vramTotalBytes: number;
  vramFreeBytes: number;
  /** GPU memory is system memory (Apple silicon). */
  unifiedMemory: boolean;
  ramTotalBytes: number;
  ramFreeBytes: number;
  cpuCores: number;
  /** The worker's libuv thread-pool size (see workerEnv.ts): decodes run on these threads. */
  threadPool: number;
}
export const hardwareRequest = new RequestType<{ gpu: GpuSetting }, HardwareInfo, WorkerErrorData>('sovereign/hardware');

export interface InspectModelParams {
  path: string;
  role: ModelRole;
  contextSize: number;
  gpu: GpuSetting;
  /** The context's sequences (ModelLoadSettings.cachedPlaces), each with its KV cache; absent = 1. */
  cachedPlaces?: number;
}

/** A model file checked without loading its weights (header, tensors, vocabulary, metadata). */
export interface ModelInspection {
  path: string;
  fileBytes: number;
  architecture?: string;
  fim?: string;
  chatTemplate: boolean;
  /** node-llama-cpp's estimate (GgufInsights) for the weights plus a context of `contextSize`. */
  memory?: { ramBytes: number; vramBytes: number };
  /** Why the file cannot serve the role (an error kind a different file fixes); each has one message that names the fix. */
  problem?: { kind: ModelProblem; message: string };
}
export const inspectModelRequest = new RequestType<InspectModelParams, ModelInspection, WorkerErrorData>('sovereign/inspectModel');

/** JSON-RPC error code used for every worker error; the cause is in `data.kind`. */
export const workerErrorCode = -32099;
