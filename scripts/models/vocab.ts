/**
 * Tokenizer sources for the test models, read from the llama.cpp source that node-llama-cpp ships
 * as a git bundle (node_modules/node-llama-cpp/llama/gitRelease.bundle). The bundle is cloned
 * bare into the dev cache once (keyed by its commit) and single blobs are read from it, pinned
 * by git object id so the content cannot silently change.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A file of llama.cpp's tree, pinned by its git blob id. */
export interface PinnedBlob {
  path: string;
  blob: string;
}

export const LLAMA_CPP_BLOBS = {
  deepseekCoderVocab: { path: 'models/ggml-vocab-deepseek-coder.gguf', blob: '6728cd747249ecaef7a2f63f103f68261d713c3d' },
  qwen2Vocab: { path: 'models/ggml-vocab-qwen2.gguf', blob: '541e475bc94532defa0bb38dfabf6dfaae1fe8ae' },
  // Named "starcoder" but it is StarCoder2's tokenizer: 49,152 tokens, <repo_name> 5, <file_sep> 6.
  starcoderVocab: { path: 'models/ggml-vocab-starcoder.gguf', blob: '7a7e7742ab1fcf0a65b9ef5d3115ce735ae0de90' },
  // LLaMA/LLaMA-2's SentencePiece vocabulary (32,000 tokens), the base of CodeLlama's and Mistral's.
  llamaSpmVocab: { path: 'models/ggml-vocab-llama-spm.gguf', blob: '658295a5df7412d786103d2a5332ee6e7de9a5df' },
  // Qwen2.5-Instruct's chat template (Qwen2.5-Coder-Instruct uses the same one).
  qwen25ChatTemplate: { path: 'models/templates/Qwen-Qwen2.5-7B-Instruct.jinja', blob: 'bdf7919a96cfe43d50914a007b9c0877bd0ec27e' },
} as const satisfies Record<string, PinnedBlob>;

const BUNDLE_REL = path.join('node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');

/** Find node-llama-cpp's llama.cpp git bundle (SOVEREIGN_LLAMA_BUNDLE overrides). */
export function findLlamaBundle(): string {
  const override = process.env.SOVEREIGN_LLAMA_BUNDLE;
  if (override) return override;
  const starts: string[] = [];
  if (typeof __dirname !== 'undefined') starts.push(__dirname);
  starts.push(process.cwd());
  for (const start of starts) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, BUNDLE_REL);
      if (fs.existsSync(candidate)) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(
    `Cannot find ${BUNDLE_REL} above ${starts.join(' or ')}; run from the repository after npm install ` +
      '(or set SOVEREIGN_LLAMA_BUNDLE).',
  );
}

function git(args: string[], opts: { maxBuffer?: number } = {}): Buffer {
  return execFileSync('git', args, {
    maxBuffer: opts.maxBuffer ?? 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
}

/** Bare clone of the bundle in `<cache>/llama.cpp/<commit>.git` (made once, atomically). */
export function llamaCppRepo(cacheDir: string): string {
  const bundle = findLlamaBundle();
  const heads = git(['bundle', 'list-heads', bundle]).toString('utf8').trim().split('\n');
  const head = heads.map((l) => l.split(/\s+/)).find((p) => p[1] === 'HEAD') ?? heads[0]?.split(/\s+/);
  const commit = head?.[0];
  if (!commit || !/^[0-9a-f]{40}$/.test(commit)) throw new Error(`Unexpected output of git bundle list-heads ${bundle}`);
  const root = path.join(cacheDir, 'llama.cpp');
  const repo = path.join(root, `${commit}.git`);
  if (fs.existsSync(path.join(repo, 'HEAD'))) return repo;
  fs.mkdirSync(root, { recursive: true });
  const tmp = `${repo}.tmp-${process.pid}-${Date.now()}`;
  try {
    git(['clone', '--bare', '--quiet', bundle, tmp]);
    try {
      fs.renameSync(tmp, repo);
    } catch (e) {
      // Another process won the race.
      if (!fs.existsSync(path.join(repo, 'HEAD'))) throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return repo;
}

/** Read one pinned blob from the llama.cpp bundle. */
export function readLlamaCppBlob(cacheDir: string, file: PinnedBlob): Buffer {
  const repo = llamaCppRepo(cacheDir);
  try {
    return git(['--git-dir', repo, 'cat-file', 'blob', file.blob]);
  } catch {
    let now = 'missing';
    try {
      now = git(['--git-dir', repo, 'rev-parse', `HEAD:${file.path}`]).toString().trim();
    } catch {
      /* path is gone */
    }
    throw new Error(
      `node-llama-cpp's llama.cpp bundle no longer contains ${file.path} at blob ${file.blob} ` +
        `(HEAD has ${now}). node-llama-cpp was probably upgraded: update LLAMA_CPP_BLOBS in ` +
        'scripts/models/vocab.ts and the sha256 constants in scripts/models/testModels.ts.',
    );
  }
}

// ---------------------------------------------------------------------------
// GPT-2 byte-level BPE: token text ↔ bytes

let byteDecoder: Map<number, number> | undefined;

/** GPT-2's bytes_to_unicode(), inverted: code point → byte. */
function gpt2ByteDecoder(): Map<number, number> {
  if (byteDecoder) return byteDecoder;
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  byteDecoder = new Map(cs.map((c, i) => [c, bs[i]]));
  return byteDecoder;
}

/** The bytes a GPT-2 byte-level token stands for, or undefined if the text is not byte-level. */
export function gpt2TokenBytes(text: string): Uint8Array | undefined {
  const dec = gpt2ByteDecoder();
  const out: number[] = [];
  for (const ch of text) {
    const b = dec.get(ch.codePointAt(0)!);
    if (b === undefined) return undefined;
    out.push(b);
  }
  return Uint8Array.from(out);
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
