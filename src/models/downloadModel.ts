/**
 * Downloads one model file with node-llama-cpp's downloader (ipull: ranged requests, retries,
 * a `.ipull` progress file that a later download resumes from). Free of `vscode`: the engine
 * tests drive this very function against a local HTTP server.
 *
 * Order: offline check → one HEAD request (clear "no network" / "not found" errors in seconds,
 * and the size) → free-disk check → download into `<folder>/.partial/` → size, checksum and
 * GGUF checks → rename into `<folder>` (same filesystem: atomic). A file that fails a check is
 * removed; an interrupted one stays in `.partial/` and the next download resumes it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledError, errorMessage } from '../common/errors';
import { formatBytes } from './catalog';
import { DownloadError } from './downloadError';

export interface DownloadProgress {
  downloadedBytes: number;
  totalBytes: number;
}

export interface DownloadRequest {
  /** `hf:<user>/<repo>/<file>` or an `http(s)://` URL. */
  uri: string;
  /** Name of the finished file in `folder`. */
  fileName: string;
  folder: string;
  sha256?: string;
  signal?: AbortSignal;
  onProgress?(progress: DownloadProgress): void;
  /** `sovereign.offline`: nothing touches the network. */
  offline?: boolean;
  /** Checks the finished file before it is moved into place (the worker's GGUF checks). */
  verify?(path: string): Promise<void>;
  /** Free bytes on the filesystem of `dir` (injectable to test a full disk). */
  freeBytes?(dir: string): Promise<number>;
  /** Where `hf:` URIs resolve (tests point it at a local server); default as node-llama-cpp. */
  huggingFaceEndpoint?: string;
  /** Seconds the first request may take before "no network" (default 20). */
  connectTimeoutMs?: number;
}

export const partialFolderName = '.partial';
/** ipull's progress-file extension (resume data lives at the end of that file). */
const progressExtension = '.ipull';

export async function defaultFreeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export async function downloadModel(req: DownloadRequest): Promise<string> {
  if (req.offline) {
    throw new DownloadError('offline', 'Downloads are off because "sovereign.offline" is on: nothing is sent over the network. Choose a local GGUF file instead, or turn the setting off.');
  }
  if (req.signal?.aborted) throw new CancelledError();
  const url = resolveUrl(req.uri, req.huggingFaceEndpoint);
  const staging = join(req.folder, partialFolderName);
  await mkdir(staging, { recursive: true });
  const totalBytes = await headSize(url, req);

  const partial = await sizeOf(join(staging, req.fileName + progressExtension));
  const needed = Math.max(0, totalBytes - partial);
  const free = await (req.freeBytes ?? defaultFreeBytes)(req.folder);
  if (free < needed) {
    throw new DownloadError(
      'diskFull',
      `Not enough disk space for ${req.fileName}: it needs ${formatBytes(needed)} more, but ${req.folder} has ${formatBytes(free)} free. Free some space or set "sovereign.models.folder" to another disk.`,
    );
  }

  const stagedPath = join(staging, req.fileName);
  const { createModelDownloader } = await loadDownloader();
  let downloader;
  try {
    downloader = await createModelDownloader({
      modelUri: req.uri,
      dirPath: staging,
      fileName: req.fileName,
      deleteTempFileOnCancel: false,
      parallelDownloads: 1,
      endpoints: req.huggingFaceEndpoint ? { huggingFace: req.huggingFaceEndpoint } : undefined,
      onProgress: ({ downloadedSize, totalSize }) => req.onProgress?.({ downloadedBytes: downloadedSize, totalBytes: totalSize }),
    });
    await downloader.download({ signal: req.signal });
  } catch (e) {
    if (req.signal?.aborted) throw new CancelledError();
    throw new DownloadError('network', `Downloading ${req.fileName} failed: ${errorMessage(e)}. Run the download again to resume it, or choose a local GGUF file.`);
  }
  if (req.signal?.aborted) throw new CancelledError();

  try {
    const size = await sizeOf(stagedPath);
    if (size !== totalBytes) throw new DownloadError('corrupt', `${req.fileName} is damaged: ${size} bytes arrived, the server announced ${totalBytes}. It was removed; download it again.`);
    if (req.sha256) {
      const actual = await sha256File(stagedPath);
      if (actual !== req.sha256.toLowerCase()) {
        throw new DownloadError('corrupt', `${req.fileName} is damaged: its checksum is ${actual.slice(0, 12)}…, expected ${req.sha256.slice(0, 12)}…. It was removed; download it again.`);
      }
    }
    await req.verify?.(stagedPath);
  } catch (e) {
    await rm(stagedPath, { force: true });
    if (e instanceof DownloadError) throw e;
    throw new DownloadError('corrupt', `${errorMessage(e)} The downloaded file was removed.`);
  }
  const finalPath = join(req.folder, req.fileName);
  await rename(stagedPath, finalPath);
  return finalPath;
}

/** node-llama-cpp's URI forms: `hf:<user>/<repo>/<file>` (branch main) or a plain URL. */
export function resolveUrl(uri: string, endpoint?: string): string {
  if (/^https?:\/\//.test(uri)) return uri;
  const m = /^hf:([^/]+)\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new DownloadError('notFound', `Unsupported model URI: ${uri}`);
  let base = endpoint ?? process.env.MODEL_ENDPOINT ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co/';
  if (!base.endsWith('/')) base += '/';
  return `${base}${m[1]}/${m[2]}/resolve/main/${m[3]}?download=true`;
}

async function headSize(url: string, req: DownloadRequest): Promise<number> {
  const timeout = AbortSignal.timeout(req.connectTimeoutMs ?? 20_000);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { method: 'HEAD', redirect: 'follow', signal });
  } catch (e) {
    if (req.signal?.aborted) throw new CancelledError();
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (timeout.aborted ? 'timed out' : errorMessage(e));
    throw new DownloadError('noNetwork', `No network: ${new URL(url).host} cannot be reached (${cause}). Choose a local GGUF file instead.`);
  }
  if (response.status === 404) throw new DownloadError('notFound', `The model file was not found on the server (404): ${url}`);
  if (response.status === 401 || response.status === 403) {
    throw new DownloadError('notFound', `The server refused the download (${response.status}): the repository may need you to accept its license in a browser first.`);
  }
  if (!response.ok) throw new DownloadError('network', `The server answered ${response.status} for ${url}. Try again later, or choose a local GGUF file.`);
  const length = Number(response.headers.get('content-length'));
  if (!Number.isFinite(length) || length <= 0) throw new DownloadError('network', `The server did not say how large ${url} is; refusing a download that cannot be checked.`);
  return length;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

type NodeLlamaCpp = typeof import('node-llama-cpp', { with: { 'resolution-mode': 'import' } });

/** node-llama-cpp is ESM and stays out of the bundle: a computed specifier keeps esbuild away. */
function loadDownloader(): Promise<Pick<NodeLlamaCpp, 'createModelDownloader'>> {
  const specifier = 'node-llama-cpp';
  return import(specifier) as Promise<NodeLlamaCpp>;
}
