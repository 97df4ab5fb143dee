import { basename } from 'node:path';
import { SovereignError, errorMessage } from '../../common/errors';
import { cpus, freemem, totalmem } from 'node:os';
import type {
  ChatParams, ChatResult, CompletionCounts, CompletionParams, CompletionResult, EmbedResult, EmbeddingCounts, GpuSetting,
  HardwareInfo, InspectModelParams, LoadModelParams, ModelInspection, ModelInfo, ModelRole, WorkerLog,
} from '../protocol';
import { sameLoad } from '../protocol';
import { ChatResponder } from './chatResponder';
import { AdaptiveThreads } from './adaptiveThreads';
import { Embedder } from './embedder';
import { EVAL_STEP_TOKENS, FimCompleter } from './fimCompleter';
import { CACHE_REUSE_MIN_RUN } from './planKvReuse';
import { detectFimFormat } from './fimFormat';
import { processLlama } from './processLlama';
import { loadNodeLlamaCpp, type LlamaContext, type LlamaContextSequence, type LlamaModel, type NodeLlamaCpp } from './nodeLlamaCpp';
import { PriorityGate } from './priorityGate';
import { noChatTemplateError, noFimTokensError, problemOf, unsupportedArchitectureError, validateModelFile } from './validateModelFile';

interface RoleSlot {
  params: LoadModelParams;
  info: ModelInfo;
  model: LlamaModel;
  context: LlamaContext | NodeLlamaCpp.LlamaEmbeddingContext;
  completer?: FimCompleter;
  chat?: ChatResponder;
  embedder?: Embedder;
}

/**
 * Owns the models and contexts of this process. Completion and chat each get their own context;
 * when both roles name the same file the weights are loaded once.
 */
export class ModelHost {
  private readonly slots = new Map<ModelRole, RoleSlot>();
  private readonly loading = new Map<ModelRole, Promise<ModelInfo>>();
  /** llama.cpp's thread limit before any tuning: every context is created with it. */
  private fullThreads: number | undefined;
  /** The completion model's thread tuner; it sets the process-wide limit chat runs under too. */
  private adaptive: AdaptiveThreads | undefined;
  /** Completion holds it; chat waits on it between tokens. */
  readonly gate = new PriorityGate();
  /** Kept across model reloads: the life of this worker. */
  readonly completionCounts: CompletionCounts = { received: 0, evaluated: 0, generated: 0, completed: 0, promptTokens: 0, evaluatedTokens: 0 };
  readonly embeddingCounts: EmbeddingCounts = { texts: 0 };

  constructor(private readonly log: (entry: WorkerLog) => void) {}

  load(params: LoadModelParams): Promise<ModelInfo> {
    const existing = this.slots.get(params.role);
    if (existing && sameLoad(existing.params, params)) return Promise.resolve(existing.info);
    const pending = this.loading.get(params.role);
    if (pending) return pending.then(() => this.load(params));
    const load = this.doLoad(params).finally(() => this.loading.delete(params.role));
    this.loading.set(params.role, load);
    return load;
  }

  complete(params: CompletionParams, signal: AbortSignal): Promise<CompletionResult> {
    const slot = this.requireSlot('completion');
    if (!slot.completer) throw noFimTokensError(slot.info.name);
    return slot.completer.complete(params, signal);
  }

  chat(params: ChatParams, signal: AbortSignal, onText: (text: string) => void): Promise<ChatResult> {
    const slot = this.requireSlot('chat');
    if (!slot.chat) throw new SovereignError('internal', 'The chat model has no chat wrapper.');
    return slot.chat.respond(params, signal, onText);
  }

  embed(texts: string[], signal: AbortSignal): Promise<EmbedResult> {
    const slot = this.requireSlot('embedding');
    if (!slot.embedder) throw new SovereignError('internal', 'The embedding model has no embedding context.');
    return slot.embedder.embed(texts, signal);
  }

  /** Exact token counts with the role's own tokenizer (no special tokens: this is user text). */
  countTokens(role: ModelRole, texts: string[]): number[] {
    const model = this.requireSlot(role).model;
    return texts.map((t) => model.tokenize(t, false).length);
  }

  chatPromptTokens(messages: ChatParams['messages']): number {
    const slot = this.requireSlot('chat');
    if (!slot.chat) throw new SovereignError('internal', 'The chat model has no chat wrapper.');
    return slot.chat.promptTokens(messages);
  }

  /** This machine as llama.cpp sees it (the backend of this process, its VRAM, RAM, cores). */
  async hardware(gpu: GpuSetting): Promise<HardwareInfo> {
    const llama = await processLlama(gpu, (level, message) => this.log({ level, message }));
    const vram = llama.gpu === false ? { total: 0, free: 0, unifiedSize: 0 } : await llama.getVramState();
    return {
      gpu: llama.gpu === false ? 'cpu' : llama.gpu,
      vramTotalBytes: vram.total,
      vramFreeBytes: vram.free,
      unifiedMemory: vram.unifiedSize > 0,
      ramTotalBytes: totalmem(),
      ramFreeBytes: freemem(),
      cpuCores: llama.cpuMathCores || cpus().length,
      threadPool: Number(process.env.UV_THREADPOOL_SIZE) || 4, // libuv's default
    };
  }

  /**
   * Every check a model file must pass for a role, without loading its weights: the file checks
   * of a load, a vocabulary-only load (llama.cpp refuses an unknown architecture there), FIM
   * tokens for completion, a chat template for chat, and node-llama-cpp's memory estimate.
   */
  async inspect(params: InspectModelParams): Promise<ModelInspection> {
    const name = basename(params.path);
    const result: ModelInspection = { path: params.path, fileBytes: 0, chatTemplate: false };
    try {
      result.fileBytes = (await validateModelFile(params.path)).bytes;
      const nlc = await loadNodeLlamaCpp();
      await checkTensorBounds(nlc, params.path, result.fileBytes);
      const fileInfo = await nlc.readGgufFileInfo(params.path, { logWarnings: false, sourceType: 'filesystem' });
      result.architecture = String(fileInfo.metadata.general?.architecture ?? 'unknown');
      result.chatTemplate = typeof fileInfo.metadata.tokenizer?.chat_template === 'string';
      const llama = await processLlama(params.gpu, (level, message) => this.log({ level, message }));
      let vocab: LlamaModel;
      try {
        vocab = await llama.loadModel({ modelPath: params.path, vocabOnly: true });
      } catch (e) {
        // A const enum in the typings, a plain object at run time.
        const architectures = Object.values((nlc as unknown as { GgufArchitectureType: Record<string, string> }).GgufArchitectureType);
        const known = architectures.includes(result.architecture);
        throw known ? classifyLoadError(e, name) : unsupportedArchitectureError(name, result.architecture);
      }
      result.fim = detectFimFormat(vocab)?.family;
      await vocab.dispose();
      const insights = await nlc.GgufInsights.from(fileInfo, llama);
      const gpuLayers = llama.gpu === false ? 0 : insights.totalLayers;
      const weights = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
      const contextSize = Math.min(params.contextSize, insights.trainContextSize ?? params.contextSize);
      const kv = await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: gpuLayers, sequences: params.cachedPlaces ?? 1 });
      result.memory = { ramBytes: weights.cpuRam + kv.cpuRam, vramBytes: weights.gpuVram + kv.gpuVram };
      if (params.role === 'completion' && !result.fim) throw noFimTokensError(name);
      if (params.role === 'chat' && !result.chatTemplate) throw noChatTemplateError(name);
    } catch (e) {
      result.problem = problemOf(e);
    }
    return result;
  }

  models(): ModelInfo[] {
    return [...this.slots.values()].map((s) => s.info);
  }

  async unload(role?: ModelRole): Promise<void> {
    for (const r of role ? [role] : ([...this.slots.keys()] as ModelRole[])) {
      await this.unloadSlot(r);
    }
  }

  private requireSlot(role: ModelRole): RoleSlot {
    const slot = this.slots.get(role);
    if (!slot) throw new SovereignError('noModel', `No ${role} model is loaded.`);
    return slot;
  }

  private async doLoad(params: LoadModelParams): Promise<ModelInfo> {
    const started = performance.now();
    const { bytes } = await validateModelFile(params.path);
    const nlc = await loadNodeLlamaCpp();
    const name = basename(params.path);
    await checkTensorBounds(nlc, params.path, bytes);
    await this.unloadSlot(params.role);

    const llama = await processLlama(params.gpu, (level, message) => this.log({ level, message }));
    const threads = params.threads > 0 ? params.threads : llama.cpuMathCores;
    const model = this.sharedModel(params.path) ?? (await loadModel(llama, params.path, name));
    if (params.role === 'embedding') return this.loadEmbedding(params, model, { bytes, threads, started, gpu: llama.gpu === false ? 'cpu' : llama.gpu });
    const fimFormat = detectFimFormat(model);
    if (params.role === 'completion' && !fimFormat) {
      await this.disposeIfUnused(model);
      throw noFimTokensError(name);
    }
    // A tuner may have lowered the process-wide limit; a context created under it would keep the
    // lower count as its own for good.
    this.fullThreads ??= llama.maxThreads;
    llama.maxThreads = this.fullThreads;
    this.adaptive?.forget();
    // Completion keeps a sequence for each recent place (choosePlace.ts); each has its own cells.
    const sequences = params.role === 'completion' ? Math.max(1, params.cachedPlaces ?? 1) : 1;
    let context: LlamaContext;
    try {
      context = await model.createContext({
        contextSize: Math.min(params.contextSize, model.trainContextSize),
        threads,
        sequences,
        // Compute buffers sized to the completer's largest decode, not node-llama-cpp's default
        // batch of 512: for a 150k-token vocabulary the logits alone of a 512-token batch take
        // 300 MB. Chat keeps the default: it evaluates long prompts, where bigger batches pay.
        ...(params.role === 'completion' ? { batchSize: EVAL_STEP_TOKENS } : {}),
      });
    } catch (e) {
      await this.disposeIfUnused(model);
      throw classifyLoadError(e, name);
    }
    const lookup = params.role === 'completion' && !!params.promptLookup;
    // Moving KV cells needs position shifts, which recurrent models and DeepSeek-V2's attention lack.
    const canShift = !model.fileInsights.isRecurrent && model.fileInfo.metadata.general?.architecture !== 'deepseek2';
    const reuseMinRun = params.role === 'completion' && params.cacheReuse && canShift ? CACHE_REUSE_MIN_RUN : 0;
    const sequence = context.getSequence();
    const slot: RoleSlot = {
      params,
      model,
      context,
      info: {
        role: params.role,
        path: params.path,
        name: model.fileInfo.metadata.general?.name ?? name,
        architecture: String(model.fileInfo.metadata.general?.architecture ?? 'unknown'),
        fileBytes: bytes,
        contextSize: context.contextSize,
        kvBytes: contextMemoryBytes(model, context),
        threads,
        gpu: llama.gpu === false ? 'cpu' : llama.gpu,
        gpuLayers: model.gpuLayers,
        fim: fimFormat?.family,
        chatWrapper: undefined,
        loadMs: 0,
      },
    };
    if (params.role === 'completion' && fimFormat) {
      const adaptive = new AdaptiveThreads(context.idealThreads, (n) => (llama.maxThreads = n), params.adaptiveThreads, (kind, n, why) =>
        this.log({ level: 'info', message: `${kind}: ${n} of ${context.idealThreads} threads from now on: ${why}` }),
      );
      this.adaptive = adaptive;
      const places: [LlamaContextSequence, ...LlamaContextSequence[]] = [sequence, ...Array.from({ length: sequences - 1 }, () => context.getSequence())];
      slot.completer = new FimCompleter(places, fimFormat, this.gate, this.completionCounts, adaptive, lookup, reuseMinRun);
      try {
        await slot.completer.calibrate();
        this.log({ level: 'info', message: `prompt speed: ${Math.round(slot.completer.promptTokensPerSecond ?? 0)} tokens/s` });
      } catch (e) {
        // Without a measurement the first prompts use the configured bounds; requests measure again.
        this.log({ level: 'warn', message: `could not measure the prompt speed: ${errorMessage(e)}` });
      }
    } else {
      const wrapper = nlc.resolveChatWrapper(model, { fallbackToOtherWrappersOnJinjaError: true }) ?? new nlc.GeneralChatWrapper();
      slot.info.chatWrapper = wrapper.wrapperName;
      slot.chat = new ChatResponder(sequence, wrapper, this.gate);
    }
    slot.info.loadMs = Math.round(performance.now() - started);
    this.slots.set(params.role, slot);
    this.log({ level: 'info', message: `loaded ${name} for ${params.role} in ${slot.info.loadMs} ms (${threads} threads, ${slot.info.gpu}${lookup ? ', prompt lookup' : ''}${sequences > 1 ? `, ${sequences} cached places` : ''}, context ${Math.round(slot.info.kvBytes / 2 ** 20)} MB)` });
    return slot.info;
  }

  /**
   * Any GGUF node-llama-cpp can load embeds (a dedicated embedding model pools as its metadata
   * says; a generative one gives its last token's state). Half the threads: embedding is
   * background work, and the other half stays free for typing and completion; on a busy machine
   * fewer threads are also faster (2 threads took 4x longer per text than 1 on 2 loaded cores:
   * each step's thread barrier waits for a descheduled thread).
   */
  private async loadEmbedding(params: LoadModelParams, model: LlamaModel, load: { bytes: number; threads: number; started: number; gpu: string }): Promise<ModelInfo> {
    const name = basename(params.path);
    load = { ...load, threads: Math.max(1, Math.floor(load.threads / 2)) };
    const contextSize = Math.min(params.contextSize, model.trainContextSize);
    let context: NodeLlamaCpp.LlamaEmbeddingContext;
    try {
      // One ubatch holds a whole text: encoder (BERT-like) models need it so.
      context = await model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads: load.threads });
    } catch (e) {
      await this.disposeIfUnused(model);
      throw classifyLoadError(e, name);
    }
    const slot: RoleSlot = {
      params,
      model,
      context,
      embedder: new Embedder(context, this.gate, this.embeddingCounts, contextSize),
      info: {
        role: 'embedding',
        path: params.path,
        name: model.fileInfo.metadata.general?.name ?? name,
        architecture: String(model.fileInfo.metadata.general?.architecture ?? 'unknown'),
        fileBytes: load.bytes,
        contextSize,
        kvBytes: 0,
        threads: load.threads,
        gpu: load.gpu,
        gpuLayers: model.gpuLayers,
        fim: undefined,
        chatWrapper: undefined,
        loadMs: Math.round(performance.now() - load.started),
      },
    };
    this.slots.set('embedding', slot);
    this.log({ level: 'info', message: `loaded ${name} for embedding in ${slot.info.loadMs} ms (${load.threads} threads, ${model.embeddingVectorSize} dimensions)` });
    return slot.info;
  }

  private sharedModel(path: string): LlamaModel | undefined {
    for (const slot of this.slots.values()) if (slot.params.path === path && !slot.model.disposed) return slot.model;
    return undefined;
  }

  private async unloadSlot(role: ModelRole): Promise<void> {
    const slot = this.slots.get(role);
    if (!slot) return;
    this.slots.delete(role);
    await slot.context.dispose();
    await this.disposeIfUnused(slot.model);
    this.log({ level: 'info', message: `unloaded the ${role} model` });
  }

  private async disposeIfUnused(model: LlamaModel): Promise<void> {
    for (const slot of this.slots.values()) if (slot.model === model) return;
    await model.dispose();
  }
}

async function loadModel(llama: Awaited<ReturnType<typeof processLlama>>, path: string, name: string): Promise<LlamaModel> {
  try {
    return await llama.loadModel({ modelPath: path });
  } catch (e) {
    throw classifyLoadError(e, name);
  }
}

/** A download cut short leaves tensors pointing past the end of the file. */
async function checkTensorBounds(nlc: Awaited<ReturnType<typeof loadNodeLlamaCpp>>, path: string, bytes: number): Promise<void> {
  const name = basename(path);
  let info;
  try {
    info = await nlc.readGgufFileInfo(path, { logWarnings: false, sourceType: 'filesystem' });
  } catch (e) {
    throw new SovereignError('corruptModel', `${name} is damaged: its GGUF header cannot be read (${errorMessage(e)}). Download it again or choose another file.`);
  }
  const lastStart = Math.max(0, ...(info.fullTensorInfo ?? []).map((t) => Number(t.fileOffset)));
  if (lastStart >= bytes) {
    throw new SovereignError('corruptModel', `${name} is incomplete: the file has ${bytes} bytes but its tensor data needs more than ${lastStart}. Download it again or choose another file.`);
  }
}

function classifyLoadError(e: unknown, name: string): SovereignError {
  if (e instanceof SovereignError) return e;
  const message = errorMessage(e);
  if (e instanceof Error && e.name === 'InsufficientMemoryError') {
    return new SovereignError('insufficientMemory', `${name} does not fit in the available memory: ${message}`);
  }
  return new SovereignError('corruptModel', `${name} could not be loaded (${message}). The file may be damaged or incomplete, or its architecture unsupported.`);
}

/** The context's memory (KV cache and compute buffers), as node-llama-cpp estimates it from the GGUF. */
function contextMemoryBytes(model: LlamaModel, context: LlamaContext): number {
  try {
    const r = model.fileInsights.estimateContextResourceRequirements({
      contextSize: context.contextSize,
      modelGpuLayers: model.gpuLayers,
      batchSize: context.batchSize,
      sequences: context.totalSequences,
    });
    return r.cpuRam + r.gpuVram;
  } catch {
    return 0;
  }
}
