/**
 * Spawns and supervises the model worker and offers typed calls to it. Free of `vscode`, so the
 * engine tests drive this very class against the real worker process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { CancellationToken, MessageConnection } from 'vscode-jsonrpc';
import { CancelledError, SovereignError, errorMessage, isCancelled } from '../common/errors';
import { Emitter, type Disposable } from '../common/disposable';
import type { Log } from '../common/log';
import type {
  ChatMessage,
  ChatResult,
  CompletionParams,
  CompletionResult,
  EmbedResult,
  GpuSetting,
  HardwareInfo,
  InspectModelParams,
  ModelInspection,
  ModelInfo,
  ModelRole,
  WorkerErrorData,
  WorkerStatus,
} from './protocol';
import type { ModelLoadSettings } from '../config/runtimeSettings';
import type * as Rpc from './rpc';
import { workerEnv } from './workerEnv';

export type RuntimeState =
  | { kind: 'idle' }
  | { kind: 'loading'; role: ModelRole; path: string }
  | { kind: 'ready'; models: ModelInfo[]; last?: CompletionResult['stats'] }
  /** `role`: the failure is that role's own (its model file, say); none: the worker itself failed. */
  | { kind: 'error'; error: SovereignError; role?: ModelRole };

export interface RuntimeClientOptions {
  /** Absolute path of the bundled worker (`dist/worker.js`). */
  workerPath: string;
  log: Log;
  /** What each role should run; read at each request: when it changed, the role is loaded again. */
  modelFor(role: ModelRole): ModelLoadSettings | undefined;
  idleUnloadMs(): number;
  /** Crashes within `crashWindowMs` after which the supervisor gives up. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** First restart delay; doubles with each crash in the window. */
  restartDelayMs?: number;
  shutdownTimeoutMs?: number;
}

interface Worker {
  /** The JSON-RPC machinery, loaded with the first worker. */
  rpc: typeof Rpc;
  process: ChildProcess;
  connection: MessageConnection;
  exited: Promise<void>;
  /** Loaded models, keyed by role, as the worker confirmed them. */
  loaded: Map<ModelRole, ModelInfo>;
  /** The settings each loaded role was asked for: a change loads it again. */
  asked: Map<ModelRole, ModelLoadSettings>;
}

export class RuntimeClient implements Disposable {
  private rpc: typeof Rpc | undefined;
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private crashes: number[] = [];
  private restartAt = 0;
  private state: RuntimeState = { kind: 'idle' };
  private idleTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private disposed = false;
  private readonly pending = new Set<(e: SovereignError) => void>();
  private readonly chatListeners = new Map<string, (text: string) => void>();
  private streamCounter = 0;

  private readonly stateEmitter = new Emitter<RuntimeState>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(private readonly options: RuntimeClientOptions) {}

  get currentState(): RuntimeState {
    return this.state;
  }

  /** The worker's pid, or undefined when no worker runs. */
  get pid(): number | undefined {
    return this.worker?.process.pid;
  }

  async complete(params: CompletionParams, signal?: AbortSignal): Promise<CompletionResult> {
    return this.call('completion', signal, async (w, token) => {
      const result = await w.connection.sendRequest(w.rpc.protocol.completeRequest, params, token);
      const last = result.stats.stop === 'warmup' && this.state.kind === 'ready' ? this.state.last : result.stats;
      this.setState({ kind: 'ready', models: [...w.loaded.values()], last });
      return result;
    });
  }

  /** Streams the answer through `onText`; resolves with the whole answer. */
  async chat(messages: ChatMessage[], options: { maxTokens: number; signal?: AbortSignal; onText(text: string): void }): Promise<ChatResult> {
    return this.call('chat', options.signal, async (w, token) => {
      const streamId = `chat-${++this.streamCounter}`;
      this.chatListeners.set(streamId, options.onText);
      try {
        return await w.connection.sendRequest(w.rpc.protocol.chatRequest, { streamId, messages, maxTokens: options.maxTokens }, token);
      } finally {
        this.chatListeners.delete(streamId);
      }
    });
  }

  /**
   * Unit vectors of `texts` from the embedding model (loads it if needed). Below completion's
   * priority in the worker; `signal` stops it between texts.
   */
  async embed(texts: string[], signal?: AbortSignal): Promise<EmbedResult> {
    return this.call('embedding', signal, (w, token) => w.connection.sendRequest(w.rpc.protocol.embedRequest, { texts }, token));
  }

  /** The model loaded for `role` right now, without loading anything. */
  loadedModel(role: ModelRole): ModelInfo | undefined {
    return this.worker?.loaded.get(role);
  }

  /** Exact token counts with the role's tokenizer (loads the model if needed). */
  async countTokens(role: ModelRole, texts: string[], signal?: AbortSignal): Promise<number[]> {
    return this.call(role, signal, (w, token) => w.connection.sendRequest(w.rpc.protocol.countTokensRequest, { role, texts }, token));
  }

  /** Tokens of a chat prompt as the chat model's template renders it (loads the model if needed). */
  async chatPromptTokens(messages: ChatMessage[], signal?: AbortSignal): Promise<number> {
    return this.call('chat', signal, (w, token) => w.connection.sendRequest(w.rpc.protocol.chatPromptTokensRequest, { messages }, token));
  }

  /** Loads the model for `role` now (normally this happens on first use). */
  async load(role: ModelRole, signal?: AbortSignal): Promise<ModelInfo> {
    return this.call(role, signal, async (w) => w.loaded.get(role)!);
  }

  /** GPU backend, VRAM, RAM and cores as the worker's llama.cpp sees them (starts the worker). */
  async hardware(gpu: GpuSetting): Promise<HardwareInfo> {
    return this.callWorker((w) => w.connection.sendRequest(w.rpc.protocol.hardwareRequest, { gpu }));
  }

  /** Checks a model file for a role without loading its weights (starts the worker). */
  async inspectModel(params: InspectModelParams): Promise<ModelInspection> {
    return this.callWorker((w) => w.connection.sendRequest(w.rpc.protocol.inspectModelRequest, params));
  }

  async status(): Promise<WorkerStatus | undefined> {
    const w = this.worker;
    return w ? w.connection.sendRequest(w.rpc.protocol.statusRequest) : undefined;
  }

  /** Frees the models' memory; the worker stays up and reloads on the next request. */
  async unload(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    await w.connection.sendRequest(w.rpc.protocol.unloadRequest, {});
    w.loaded.clear();
    this.setState({ kind: 'idle' });
    this.options.log.info('models unloaded');
  }

  /** Clears an error state (e.g. after repeated crashes) and starts over on the next request. */
  async restart(): Promise<void> {
    await this.stopWorker();
    this.crashes = [];
    this.restartAt = 0;
    this.setState({ kind: 'idle' });
  }

  dispose(): void {
    void this.shutdown();
  }

  /** Asks the worker to dispose its models and exit; SIGKILL only after a timeout. */
  async shutdown(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    await this.stopWorker();
    this.stateEmitter.dispose();
  }

  private async call<R>(role: ModelRole, signal: AbortSignal | undefined, work: (w: Worker, token: CancellationToken) => Promise<R>): Promise<R> {
    if (signal?.aborted) throw new CancelledError();
    this.inFlight++;
    clearTimeout(this.idleTimer);
    let cts: InstanceType<typeof Rpc.CancellationTokenSource> | undefined;
    const onAbort = () => cts?.cancel();
    signal?.addEventListener('abort', onAbort);
    let rejectCrash!: (e: SovereignError) => void;
    const crashed = new Promise<never>((_, reject) => (rejectCrash = reject));
    crashed.catch(() => undefined);
    this.pending.add(rejectCrash);
    try {
      const w = await Promise.race([this.ensureModel(role, signal), crashed]);
      if (signal?.aborted) throw new CancelledError();
      cts = new w.rpc.CancellationTokenSource();
      return await Promise.race([work(w, cts.token), crashed]);
    } catch (e) {
      // A worker that dies mid-request closes its pipe first: the connection rejects the request
      // ("Pending response rejected since connection got disposed") a moment before the exit is
      // seen. Wait briefly for the exit, so the user reads why it stopped, not the pipe's words.
      if (!signal?.aborted && e instanceof Error && /connection (got disposed|is (closed|disposed))/i.test(e.message)) {
        const crash = await Promise.race([crashed.then(() => undefined, (c: unknown) => c), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000))]);
        if (crash) throw crash;
      }
      throw this.toSovereignError(e, signal);
    } finally {
      this.pending.delete(rejectCrash);
      signal?.removeEventListener('abort', onAbort);
      cts?.dispose();
      this.inFlight--;
      this.armIdleTimer();
    }
  }

  /** A request that needs the worker but no model. */
  private async callWorker<R>(work: (w: Worker) => Promise<R>): Promise<R> {
    try {
      return await work(await this.ensureWorker());
    } catch (e) {
      throw this.toSovereignError(e, undefined);
    } finally {
      this.armIdleTimer();
    }
  }

  private async ensureModel(role: ModelRole, signal: AbortSignal | undefined): Promise<Worker> {
    const wanted = this.options.modelFor(role);
    if (!wanted?.path) {
      const error = new SovereignError('noModel', `No ${role} model is configured. Choose a GGUF model file.`);
      this.setState({ kind: 'error', error, role });
      throw error;
    }
    const w = await this.ensureWorker();
    const have = w.loaded.get(role);
    const asked = w.asked.get(role);
    if (have && asked && w.rpc.protocol.sameLoad(asked, wanted)) return w;
    if (signal?.aborted) throw new CancelledError();
    this.setState({ kind: 'loading', role, path: wanted.path });
    try {
      // Loading is not cancelled with the request: the next keystroke wants the same model.
      const info = await w.connection.sendRequest(w.rpc.protocol.loadModelRequest, { role, ...wanted });
      w.loaded.set(role, info);
      w.asked.set(role, wanted);
      this.setState({ kind: 'ready', models: [...w.loaded.values()] });
      return w;
    } catch (e) {
      const error = this.toSovereignError(e, undefined);
      if (this.worker === w) this.setState({ kind: 'error', error, role });
      throw error;
    }
  }

  private ensureWorker(): Promise<Worker> {
    if (this.disposed) return Promise.reject(new SovereignError('workerUnavailable', 'The runtime is shut down.'));
    if (this.worker) return Promise.resolve(this.worker);
    if (this.state.kind === 'error' && this.state.error.kind === 'workerCrashed' && this.crashes.length >= (this.options.maxCrashes ?? 3)) {
      return Promise.reject(this.state.error);
    }
    this.starting ??= this.startWorker().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startWorker(): Promise<Worker> {
    const wait = this.restartAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Before fork: awaiting after it would miss the child's 'spawn' event.
    const rpc = (this.rpc ??= await import('./rpc.js'));
    const child = fork(this.options.workerPath, [], {
      env: workerEnv(process.env),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    const log = this.options.log;
    child.stdout?.on('data', (d: Buffer) => log.debug(`worker: ${d.toString().trimEnd()}`));
    child.stderr?.on('data', (d: Buffer) => log.warn(`worker: ${d.toString().trimEnd()}`));
    const connection = rpc.createMessageConnection(new rpc.IPCMessageReader(child), new rpc.IPCMessageWriter(child));
    connection.onNotification(rpc.protocol.logNotification, ({ level, message }) => log[level](`worker: ${message}`));
    connection.onNotification(rpc.protocol.chatChunkNotification, ({ streamId, text }) => this.chatListeners.get(streamId)?.(text));
    connection.onError(([e]) => log.debug(`worker connection: ${errorMessage(e)}`));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const worker: Worker = { rpc, process: child, connection, exited, loaded: new Map(), asked: new Map() };
    child.once('exit', (code, signal) => this.onWorkerExit(worker, code, signal));
    connection.listen();
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.worker = worker;
    log.info(`worker started (pid ${child.pid})`);
    return worker;
  }

  private onWorkerExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    worker.connection.dispose();
    if (this.worker !== worker) return; // An asked-for stop.
    this.worker = undefined;
    const now = Date.now();
    const window = this.options.crashWindowMs ?? 60_000;
    this.crashes = [...this.crashes.filter((t) => now - t < window), now];
    const base = this.options.restartDelayMs ?? 500;
    this.restartAt = now + base * 2 ** (this.crashes.length - 1);
    const max = this.options.maxCrashes ?? 3;
    const gaveUp = this.crashes.length >= max;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const error = new SovereignError(
      'workerCrashed',
      gaveUp
        ? `The model worker crashed ${this.crashes.length} times in a row (last: ${how}). Run "Sovereign: Restart Runtime" to try again.`
        : `The model worker stopped unexpectedly (${how}); it restarts on the next request.`,
    );
    this.options.log.error(error.message);
    for (const reject of [...this.pending]) reject(error);
    this.setState(gaveUp ? { kind: 'error', error } : { kind: 'idle' });
  }

  private async stopWorker(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    const timeout = this.options.shutdownTimeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.options.log.warn(`worker did not exit within ${timeout} ms: killing it`);
        w.process.kill('SIGKILL');
        resolve();
      }, timeout);
    });
    w.connection.sendRequest(w.rpc.protocol.shutdownRequest).catch(() => undefined);
    await Promise.race([w.exited, killed]);
    clearTimeout(timer);
    await w.exited;
    for (const reject of [...this.pending]) reject(new CancelledError());
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const ms = this.options.idleUnloadMs();
    if (this.inFlight > 0 || !this.worker || ms <= 0 || this.disposed) return;
    this.idleTimer = setTimeout(() => {
      if (this.inFlight === 0 && this.worker?.loaded.size) {
        this.unload().catch((e) => this.options.log.warn(`idle unload failed: ${errorMessage(e)}`));
      }
    }, ms);
    this.idleTimer.unref?.();
  }

  private toSovereignError(e: unknown, signal: AbortSignal | undefined): SovereignError {
    if (e instanceof SovereignError) return e;
    if (signal?.aborted) return new CancelledError();
    if (this.rpc && e instanceof this.rpc.ResponseError) {
      if (e.code === this.rpc.protocol.workerErrorCode) return new SovereignError((e.data as WorkerErrorData).kind, e.message);
      if (e.code === -32800) return new CancelledError(); // $/cancelRequest acknowledged
    }
    return new SovereignError('internal', errorMessage(e));
  }

  private setState(state: RuntimeState): void {
    this.state = state;
    if (!(state.kind === 'error' && isCancelled(state.error))) this.stateEmitter.fire(state);
  }
}
