/**
 * Model presets and the choice by hardware. Pure: no `vscode`, no I/O, so it is unit-tested in
 * plain node. Hardware comes from the worker (node-llama-cpp sees the GPU), see `Hardware`.
 *
 * Sources of the URIs: the Qwen2.5-Coder base Q8_0 repos are the ones llama.cpp's own presets
 * and llama.vscode use (`ggml-org/Qwen2.5-Coder-<N>B-Q8_0-GGUF`, file
 * `qwen2.5-coder-<n>b-q8_0.gguf`); the instruct tiers are Qwen's official GGUF repos. Sizes are
 * the published file sizes rounded up (≈), used for the disk check and the "won't fit" mark;
 * the downloaded size is checked against the server's length, not against these numbers.
 * No sha256 is recorded for remote files: an unverified checksum here would reject good files.
 */
import type { HardwareInfo, ModelRole } from '../runtime/protocol';

const MB = 1024 ** 2;
const GB = 1024 ** 3;

/** What the worker reports about this machine (see `hardwareRequest`): declared once, there. */
export type Hardware = HardwareInfo;
export type Backend = HardwareInfo['gpu'];

export interface ModelPreset {
  id: string;
  role: ModelRole;
  label: string;
  /** Size tier shared by a base model and its instruct sibling (0 = smallest). */
  tier: number;
  /** node-llama-cpp URI: `hf:<user>/<repo>/<file>`. */
  uri: string;
  fileName: string;
  /** Published file size (approximate, rounded up). */
  fileBytes: number;
  /** Memory to run it: weights + a 4k-token f16 KV cache + compute buffers (estimate). */
  memoryBytes: number;
  /** Known sha256 of the file, when verified. */
  sha256?: string;
  /** Listed after the recommended family. */
  alternative?: boolean;
  detail: string;
}

/** KV bytes for 4096 tokens: layers × 2 (K,V) × kv heads × head dim × 2 bytes × 4096. */
const kv4k = (layers: number, kvHeads: number, headDim: number): number => layers * 2 * kvHeads * headDim * 2 * 4096;
const computeOverhead = 320 * MB;
const memory = (fileBytes: number, kv: number): number => fileBytes + kv + computeOverhead;

function qwen(role: ModelRole, tier: number, size: string, fileBytes: number, kv: number, repo: string, file: string): ModelPreset {
  const instruct = role === 'chat';
  return {
    id: `qwen2.5-coder-${size.toLowerCase()}${instruct ? '-instruct' : ''}-q8_0`,
    role,
    label: `Qwen2.5-Coder ${size}${instruct ? ' Instruct' : ''} (Q8_0)`,
    tier,
    uri: `hf:${repo}/${file}`,
    fileName: file,
    fileBytes,
    memoryBytes: memory(fileBytes, kv),
    detail: instruct ? 'Chat: instruct model with a chat template' : 'Completion: base model with fill-in-the-middle tokens',
  };
}

// Qwen2.5-Coder shapes: 0.5B 24 layers/2 KV heads/64 dim; 1.5B 28/2/128; 3B 36/2/128; 7B 28/4/128.
const kv = { '0.5B': kv4k(24, 2, 64), '1.5B': kv4k(28, 2, 128), '3B': kv4k(36, 2, 128), '7B': kv4k(28, 4, 128) };

export const PRESETS: readonly ModelPreset[] = [
  qwen('completion', 0, '0.5B', 531 * MB, kv['0.5B'], 'ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF', 'qwen2.5-coder-0.5b-q8_0.gguf'),
  qwen('completion', 1, '1.5B', 1646 * MB, kv['1.5B'], 'ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF', 'qwen2.5-coder-1.5b-q8_0.gguf'),
  qwen('completion', 2, '3B', 3290 * MB, kv['3B'], 'ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF', 'qwen2.5-coder-3b-q8_0.gguf'),
  qwen('completion', 3, '7B', 8100 * MB, kv['7B'], 'ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF', 'qwen2.5-coder-7b-q8_0.gguf'),
  // Qwen's official instruct GGUF repos (file names as published there, lower case).
  qwen('chat', 0, '0.5B', 676 * MB, kv['0.5B'], 'Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF', 'qwen2.5-coder-0.5b-instruct-q8_0.gguf'),
  qwen('chat', 1, '1.5B', 1894 * MB, kv['1.5B'], 'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF', 'qwen2.5-coder-1.5b-instruct-q8_0.gguf'),
  qwen('chat', 2, '3B', 3620 * MB, kv['3B'], 'Qwen/Qwen2.5-Coder-3B-Instruct-GGUF', 'qwen2.5-coder-3b-instruct-q8_0.gguf'),
  // Not sure Qwen's 7B Q8_0 is a single file there (large quants are split into parts), so the
  // 7B tier points at bartowski's single-file conversion; check the name before relying on it.
  qwen('chat', 3, '7B', 8100 * MB, kv['7B'], 'bartowski/Qwen2.5-Coder-7B-Instruct-GGUF', 'Qwen2.5-Coder-7B-Instruct-Q8_0.gguf'),
  // Alternatives (well-known community conversions; exact file names not verified here).
  {
    id: 'deepseek-coder-1.3b-base-q8_0', role: 'completion', label: 'DeepSeek-Coder 1.3B base (Q8_0)', tier: 1, alternative: true,
    uri: 'hf:TheBloke/deepseek-coder-1.3b-base-GGUF/deepseek-coder-1.3b-base.Q8_0.gguf', fileName: 'deepseek-coder-1.3b-base.Q8_0.gguf',
    fileBytes: 1430 * MB, memoryBytes: memory(1430 * MB, kv4k(24, 16, 128)), detail: 'Completion: alternative base model',
  },
  {
    id: 'deepseek-coder-6.7b-base-q8_0', role: 'completion', label: 'DeepSeek-Coder 6.7B base (Q8_0)', tier: 3, alternative: true,
    uri: 'hf:TheBloke/deepseek-coder-6.7B-base-GGUF/deepseek-coder-6.7b-base.Q8_0.gguf', fileName: 'deepseek-coder-6.7b-base.Q8_0.gguf',
    fileBytes: 7160 * MB, memoryBytes: memory(7160 * MB, kv4k(32, 32, 128)), detail: 'Completion: alternative base model',
  },
  {
    id: 'starcoder2-3b-q8_0', role: 'completion', label: 'StarCoder2 3B (Q8_0)', tier: 2, alternative: true,
    uri: 'hf:second-state/StarCoder2-3B-GGUF/starcoder2-3b-Q8_0.gguf', fileName: 'starcoder2-3b-Q8_0.gguf',
    fileBytes: 3220 * MB, memoryBytes: memory(3220 * MB, kv4k(30, 2, 128)), detail: 'Completion: alternative base model',
  },
  // Embeddings (optional, for the codebase index). Qwen3-Embedding-0.6B: the smallest model of
  // the family that leads MTEB's code-retrieval tasks among open models of its size, an official
  // single-file GGUF from Qwen (qwen3 architecture, last-token pooling in its metadata, 1024
  // dimensions, 32k context), Apache-2.0. 639,150,592 bytes as published; KV for the 2,048-token
  // embedding context: 28 layers, 8 KV heads of 128.
  {
    id: 'qwen3-embedding-0.6b-q8_0', role: 'embedding', label: 'Qwen3-Embedding 0.6B (Q8_0)', tier: 0,
    uri: 'hf:Qwen/Qwen3-Embedding-0.6B-GGUF/Qwen3-Embedding-0.6B-Q8_0.gguf', fileName: 'Qwen3-Embedding-0.6B-Q8_0.gguf',
    fileBytes: 610 * MB, memoryBytes: memory(610 * MB, kv4k(28, 8, 128) / 2), detail: 'Embeddings: finds code by meaning in the codebase index (optional)',
  },
];

export function presetsFor(role: ModelRole): ModelPreset[] {
  return PRESETS.filter((p) => p.role === role);
}

function mainPreset(role: ModelRole, tier: number): ModelPreset {
  const p = PRESETS.find((x) => x.role === role && x.tier === tier && !x.alternative);
  if (!p) throw new Error(`no ${role} preset for tier ${tier}`);
  return p;
}

export interface Fit {
  fits: boolean;
  neededBytes: number;
  availableBytes: number;
  /** One sentence with both numbers, for the quick pick and the refusal message. */
  message: string;
}

/**
 * Memory the runtime can use now: free RAM, plus free VRAM on a discrete GPU (llama.cpp splits
 * layers between the two). Unified memory is counted once.
 */
export function availableMemory(hw: Hardware): number {
  if (hw.gpu === 'cpu') return hw.ramFreeBytes;
  if (hw.unifiedMemory) return Math.max(hw.ramFreeBytes, hw.vramFreeBytes);
  return hw.ramFreeBytes + hw.vramFreeBytes;
}

export function fits(neededBytes: number, hw: Hardware, alsoLoaded = 0): Fit {
  const availableBytes = Math.max(0, availableMemory(hw) - alsoLoaded);
  const ok = neededBytes <= availableBytes;
  const where = hw.gpu === 'cpu' ? 'free memory' : hw.unifiedMemory ? 'free unified memory' : `free RAM + ${hw.gpu} VRAM`;
  return {
    fits: ok,
    neededBytes,
    availableBytes,
    message: ok
      ? `needs ${formatBytes(neededBytes)}, ${formatBytes(availableBytes)} ${where}`
      : `needs ${formatBytes(neededBytes)} but only ${formatBytes(availableBytes)} ${where} is available`,
  };
}

export interface Recommendation {
  completion: ModelPreset;
  chat: ModelPreset;
  /** One preset, whatever the machine: it is small, and optional. */
  embedding: ModelPreset;
  /** Why, in one sentence (shown in the quick pick and the walkthrough). */
  reason: string;
}

/**
 * Peers agree on the tiers: CPU only → 0.5B or 1.5B; <8 GB VRAM → 1.5B; <16 GB → 3B; else 7B.
 * On a CPU the 1.5B is chosen only with ≥8 cores and ≥16 GB RAM: generation speed scales with
 * cores, and a suggestion that comes late is worthless. Chat takes the matching instruct tier,
 * stepped down until both models fit in total memory with room for the rest of the machine.
 */
export function recommend(hw: Hardware): Recommendation {
  const vramGb = hw.vramTotalBytes / GB;
  let tier: number;
  let why: string;
  if (hw.gpu === 'cpu') {
    tier = hw.cpuCores >= 8 && hw.ramTotalBytes >= 16 * GB ? 1 : 0;
    why = `no GPU; ${hw.cpuCores} CPU cores and ${formatBytes(hw.ramTotalBytes)} RAM`;
  } else {
    tier = vramGb < 8 ? 1 : vramGb < 16 ? 2 : 3;
    why = `${hw.gpu} GPU with ${formatBytes(hw.vramTotalBytes)} ${hw.unifiedMemory ? 'unified memory' : 'VRAM'}`;
  }
  // Budget: most of the total memory the models may use (not just what is free this second).
  const total = hw.gpu === 'cpu' ? hw.ramTotalBytes : hw.unifiedMemory ? Math.max(hw.ramTotalBytes, hw.vramTotalBytes) : hw.ramTotalBytes + hw.vramTotalBytes;
  const budget = 0.75 * total;
  while (tier > 0 && mainPreset('completion', tier).memoryBytes > budget) tier--;
  let chatTier = tier;
  while (chatTier > 0 && mainPreset('completion', tier).memoryBytes + mainPreset('chat', chatTier).memoryBytes > budget) chatTier--;
  const completion = mainPreset('completion', tier);
  const chat = mainPreset('chat', chatTier);
  const stepped = chatTier < tier ? '; chat one size down so both fit' : '';
  return { completion, chat, embedding: mainPreset('embedding', 0), reason: `${why} → ${completion.label.replace(' (Q8_0)', '')} for completion${stepped}` };
}

export function formatBytes(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`;
  return `${Math.round(bytes / MB)} MB`;
}
