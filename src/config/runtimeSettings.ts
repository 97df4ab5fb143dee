import type { SettingsReader } from './settingsReader';

/** The model runtime's settings: where models live, how they run, whether the network may be used. */
export const runtimeKeys = {
  completionModelPath: 'completion.modelPath',
  completionContextSize: 'completion.contextSize',
  completionPromptLookup: 'completion.promptLookup',
  completionCacheReuse: 'completion.cacheReuse',
  completionCachedPlaces: 'completion.cachedPlaces',
  chatModelPath: 'chat.modelPath',
  chatContextSize: 'chat.contextSize',
  embeddingModelPath: 'embedding.modelPath',
  threads: 'runtime.threads',
  adaptiveThreads: 'runtime.adaptiveThreads',
  idleUnloadMinutes: 'runtime.idleUnloadMinutes',
  gpu: 'gpu',
  offline: 'offline',
  modelsFolder: 'models.folder',
} as const;

/** `embedding`: optional, off by default; the codebase index fuses its vectors with the lexical ranking. */
export type ModelRole = 'completion' | 'chat' | 'embedding';

/** Tokens an embedding model sees of one chunk (the index's chunks are at most ~80 lines); a longer text is cut. */
export const embeddingContextSize = 2048;
const gpuSettings = ['auto', 'cuda', 'vulkan', 'metal', 'off'] as const;
export type GpuSetting = (typeof gpuSettings)[number];

export interface RuntimeSettings {
  /** 0 = the physical cores. */
  threads: number;
  /** Fewer threads while the machine is busy (see threadTuner.ts). */
  adaptiveThreads: boolean;
  gpu: GpuSetting;
  /** 0 = never. */
  idleUnloadMs: number;
  /** Never use the network: no downloads, no team server. */
  offline: boolean;
  /** Empty = the default folder in the extension's storage. */
  modelsFolder: string;
}

export function runtimeSettings(read: SettingsReader): RuntimeSettings {
  return {
    threads: read.integer(runtimeKeys.threads, 0),
    adaptiveThreads: read.boolean(runtimeKeys.adaptiveThreads),
    gpu: read.choice(runtimeKeys.gpu, gpuSettings),
    idleUnloadMs: read.number(runtimeKeys.idleUnloadMinutes, 0) * 60_000,
    offline: read.boolean(runtimeKeys.offline),
    modelsFolder: read.string(runtimeKeys.modelsFolder),
  };
}

/** How a role's model is loaded. A loaded model whose settings differ is loaded again (client.ts). */
export interface ModelLoadSettings {
  path: string;
  contextSize: number;
  /** Always explicit: node-llama-cpp's default oversubscribes small machines. 0 = physical cores. */
  threads: number;
  /** The most threads is `threads`; fewer while the machine is busy. */
  adaptiveThreads: boolean;
  gpu: GpuSetting;
  /**
   * Completion only: draft tokens by looking the last generated ones up in the prompt and verify
   * them in one batch (prompt-lookup speculative decoding). Absent = off.
   */
  promptLookup?: boolean;
  /**
   * Completion only: keep long cached runs of the last prompt that the new one has at other
   * positions (after a jump or a window shift) by moving them, instead of evaluating them again
   * (planKvReuse.ts). Absent = off.
   */
  cacheReuse?: boolean;
  /**
   * Completion only: sequences of the context, each keeping the prompt state of a place worked at
   * recently, so a jump back evaluates only what changed there (choosePlace.ts). Each takes a
   * context's KV cache. Absent = 1.
   */
  cachedPlaces?: number;
}

/** The sequences a role's context gets (modelLoadSettings' `cachedPlaces`). */
export function cachedPlaces(read: SettingsReader, role: ModelRole): number {
  if (role !== 'completion') return 1;
  return read.integer(runtimeKeys.completionCachedPlaces, 1, 8);
}

/**
 * Model paths are machine-scoped settings; `SOVEREIGN_MODEL` (an environment variable, also
 * machine-level) serves `npm start` and first tries with a local GGUF file.
 */
export function modelPath(read: SettingsReader, role: ModelRole, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // Embeddings stay off unless chosen: SOVEREIGN_MODEL is a generative model, not for them.
  if (role === 'embedding') return read.string(runtimeKeys.embeddingModelPath) || undefined;
  return read.string(role === 'completion' ? runtimeKeys.completionModelPath : runtimeKeys.chatModelPath) || env.SOVEREIGN_MODEL || undefined;
}

export function modelContextSize(read: SettingsReader, role: ModelRole): number {
  if (role === 'embedding') return embeddingContextSize;
  return read.integer(role === 'completion' ? runtimeKeys.completionContextSize : runtimeKeys.chatContextSize, 256);
}

/** The setting that holds a role's model file. */
export function modelPathKey(role: ModelRole): (typeof runtimeKeys)['completionModelPath' | 'chatModelPath' | 'embeddingModelPath'] {
  return role === 'completion' ? runtimeKeys.completionModelPath : role === 'chat' ? runtimeKeys.chatModelPath : runtimeKeys.embeddingModelPath;
}

export function modelLoadSettings(read: SettingsReader, role: ModelRole, env: NodeJS.ProcessEnv = process.env): ModelLoadSettings | undefined {
  const path = modelPath(read, role, env);
  if (!path) return undefined;
  const { threads, adaptiveThreads, gpu } = runtimeSettings(read);
  const load: ModelLoadSettings = { path, contextSize: modelContextSize(read, role), threads, adaptiveThreads, gpu };
  if (role === 'completion') {
    load.promptLookup = read.boolean(runtimeKeys.completionPromptLookup);
    load.cacheReuse = read.boolean(runtimeKeys.completionCacheReuse);
    load.cachedPlaces = cachedPlaces(read, role);
  }
  return load;
}
