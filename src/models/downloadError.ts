/** Why a download did not produce a model file; each message says what to do instead. */
export type DownloadFailure = 'offline' | 'noNetwork' | 'notFound' | 'network' | 'diskFull' | 'corrupt';

export class DownloadError extends Error {
  constructor(
    readonly reason: DownloadFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}
