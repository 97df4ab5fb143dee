/**
 * The index worker thread: reads, chunks and ranks workspace files off the extension host's
 * thread, so a full index never delays typing (bench:retrieval measures the host's event-loop lag
 * while it runs). A thread, not a process like the model worker: the index is pure JS (no native
 * code to crash the host), and a thread starts in milliseconds with no second Node runtime.
 * Messages: index/indexProtocol.ts.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { chunkHash } from '../chunkHash';
import { CodeIndex } from '../codeIndex';
import { indexRefusal } from '../indexableText';
import type { IndexCalls, IndexHostMessage, IndexLimits, IndexRequest, IndexSummary, IndexWorkerMessage, SkipReason, UnembeddedChunks, UpdateResult } from '../indexProtocol';

/** Written this long after the last change: a burst of saves on disk is one write. */
const saveDelayMs = 5000;
/** Progress is reported at most this often. */
const progressEveryMs = 200;

const port = parentPort;
if (!port) throw new Error('indexWorker runs in a worker thread');

let limits: IndexLimits = { maxChars: 64 * 2 ** 20, maxFileBytes: 2 ** 20 };
let storageFile: string | undefined;
let index = new CodeIndex({ maxChars: limits.maxChars });
let saveTimer: NodeJS.Timeout | undefined;
const cancelled = new Set<number>();
/**
 * Open documents' unsaved text, by path: their chunks are embedded from it (the index keeps no
 * text; a saved file's chunks are read again from disk).
 */
const unsaved = new Map<string, string>();
/** `path\0stamp` of files whose text no longer matches the index (changed since): not embedded until re-indexed. */
const stale = new Set<string>();

const post = (m: IndexWorkerMessage) => port.postMessage(m);

function summary(): IndexSummary {
  return { ...index.stats, partial: index.partial };
}

/**
 * Texts of chunks without a vector: the lines each chunk spans, read again (from disk, or an open
 * document's unsaved text), checked against the hash taken when it was indexed.
 */
async function unembedded(p: IndexCalls['unembedded']['params']): Promise<UnembeddedChunks> {
  // Again from the start when a file turned out stale: the next round skips it.
  for (;;) {
    const chunks: UnembeddedChunks['chunks'] = [];
    let staleFound = false;
    const { files, remaining } = index.unembedded(p.model, p.limit, (path, stamp) => stale.has(`${path}\0${stamp}`));
    for (const f of files) {
      let text = f.stamp.startsWith('unsaved:') ? unsaved.get(f.path) : undefined;
      if (text === undefined) {
        try {
          const info = await stat(f.path);
          text = `${info.mtimeMs}:${info.size}` === f.stamp ? await readFile(f.path, 'utf8') : undefined;
        } catch {
          text = undefined;
        }
      }
      const lines = text?.split(/\r?\n/);
      const texts = f.chunks.map((c) => lines?.slice(c.startLine - 1, c.endLine).join('\n'));
      if (texts.some((t, i) => t === undefined || chunkHash(t) !== f.chunks[i].hash)) {
        stale.add(`${f.path}\0${f.stamp}`);
        staleFound = true;
        continue;
      }
      f.chunks.forEach((c, i) => chunks.push({ hash: c.hash, text: texts[i]! }));
    }
    if (!staleFound) return { chunks, remaining };
  }
}

function changed(): void {
  if (!storageFile) return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void save().catch(() => undefined), saveDelayMs);
}

let saving: Promise<unknown> = Promise.resolve();
let saves = 0;

/** One write at a time (the delayed save and an asked-for one may meet), each complete. */
function save(): Promise<{ bytes: number }> {
  clearTimeout(saveTimer);
  const next = saving.then(async () => {
    if (!storageFile) return { bytes: 0 };
    const json = index.serialize();
    await mkdir(dirname(storageFile), { recursive: true });
    // Written beside and renamed: a crash mid-write never leaves a torn index to load.
    const tmp = `${storageFile}.${process.pid}.${++saves}.tmp`;
    await writeFile(tmp, json);
    await rename(tmp, storageFile);
    return { bytes: Buffer.byteLength(json) };
  });
  saving = next.catch(() => undefined);
  return next;
}

async function open(p: IndexCalls['open']['params']): Promise<IndexCalls['open']['result']> {
  limits = p.limits;
  storageFile = p.storageFile;
  index = new CodeIndex({ maxChars: limits.maxChars });
  let loaded = false;
  if (storageFile) {
    try {
      // A file from another format or chunking is ignored: the next update indexes from scratch.
      const previous = CodeIndex.deserialize(await readFile(storageFile, 'utf8'), { maxChars: limits.maxChars });
      if (previous) {
        index = previous;
        loaded = true;
      }
    } catch {
      // No index yet, or an unreadable one: start empty.
    }
  }
  return { ...summary(), loaded };
}

async function update(id: number, p: IndexCalls['update']['params']): Promise<UpdateResult> {
  if (p.limits) {
    limits = p.limits;
    index.setMaxChars(limits.maxChars);
  }
  const result: UpdateResult = { ...summary(), indexed: 0, unchanged: 0, removed: 0, skipped: {}, cancelled: false };
  const skip = (path: string, reason: SkipReason) => {
    index.removeFile(path);
    result.skipped[reason] = (result.skipped[reason] ?? 0) + 1;
  };
  if (p.complete) {
    const wanted = new Set(p.paths);
    const before = index.stats.files;
    index.retain((path) => wanted.has(path));
    result.removed = before - index.stats.files;
  }
  let lastProgress = 0;
  for (let i = 0; i < p.paths.length; i++) {
    if (cancelled.delete(id)) {
      result.cancelled = true;
      break;
    }
    const path = p.paths[i];
    try {
      const info = await stat(path);
      const stamp = `${info.mtimeMs}:${info.size}`;
      if (index.stampOf(path) === stamp) result.unchanged++;
      else if (info.size > limits.maxFileBytes) skip(path, 'huge');
      else {
        unsaved.delete(path); // the disk's text replaces an open document's
        const text = await readFile(path, 'utf8');
        const refusal = indexRefusal(text);
        if (refusal) skip(path, refusal);
        else {
          const r = index.setFile(path, text, stamp);
          if (r === 'overCap') result.skipped.overCap = (result.skipped.overCap ?? 0) + 1;
          else if (r === 'indexed') result.indexed++;
          else result.unchanged++;
        }
      }
    } catch {
      skip(path, 'unreadable');
    }
    const now = Date.now();
    if (now - lastProgress >= progressEveryMs) {
      lastProgress = now;
      post({ kind: 'progress', id, done: i + 1, total: p.paths.length });
    }
  }
  post({ kind: 'progress', id, done: p.paths.length, total: p.paths.length });
  if (result.indexed > 0 || result.removed > 0 || Object.keys(result.skipped).length > 0) changed();
  return { ...result, ...summary() };
}

function setText(p: IndexCalls['setText']['params']): IndexSummary {
  if (indexRefusal(p.text)) {
    index.removeFile(p.path);
    unsaved.delete(p.path);
  } else {
    // An unsaved version: the next update sees the file's disk stamp differ and reads it again.
    index.setFile(p.path, p.text, `unsaved:${p.version}`);
    unsaved.set(p.path, p.text);
  }
  changed();
  return summary();
}

async function handle(m: IndexRequest): Promise<unknown> {
  switch (m.kind) {
    case 'open':
      return open(m.params);
    case 'update':
      return update(m.id, m.params);
    case 'setText':
      return setText(m.params);
    case 'remove': {
      // A deleted or renamed folder takes what is below it.
      const gone = m.params.paths;
      for (const path of unsaved.keys()) if (gone.some((g) => path === g || path.startsWith(`${g}${sep}`))) unsaved.delete(path);
      index.retain((path) => !gone.some((g) => path === g || path.startsWith(`${g}${sep}`)));
      changed();
      return summary();
    }
    case 'clear':
      index = new CodeIndex({ maxChars: limits.maxChars });
      unsaved.clear();
      stale.clear();
      changed();
      return summary();
    case 'search':
      return index.search(m.params.query, m.params.limit, m.params.mode, m.params.embedded?.model === index.embeddingModel ? m.params.embedded?.vector : undefined);
    case 'unembedded':
      return unembedded(m.params);
    case 'storeVectors':
      index.setVectors(m.params.model, m.params.vectors);
      changed();
      return summary();
    case 'list':
      return { files: index.listFiles(), refused: index.refusedFiles() };
    case 'save':
      return save();
  }
}

port.on('message', (m: IndexHostMessage) => {
  if (m.kind === 'cancel') {
    cancelled.add(m.id);
    return;
  }
  handle(m).then(
    (result) => post({ kind: 'result', id: m.id, result }),
    (e: unknown) => post({ kind: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) }),
  );
});
