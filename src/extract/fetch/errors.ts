/** Why a fetch was refused or failed; each names one rule of the fetcher. */
export type FetchErrorKind =
  /** No response headers within the connect timeout, or the body stalled past the idle timeout. */
  | 'timeout'
  /** The connection failed (refused, reset, DNS) before a complete response arrived. */
  | 'network'
  /** The server answered with a status the fetcher does not accept (4xx, 5xx, unexpected 3xx). */
  | 'http'
  /** The body is larger than the maximum response size. */
  | 'too-large'
  /** The host (or a redirect hop's host) is not on the source's allowlist, or the scheme is not. */
  | 'not-allowed'
  /** More redirects than allowed. */
  | 'too-many-redirects'
  /** An HTML page arrived where a data file (zip, csv, txt, xlsx) was expected. */
  | 'html-instead-of-data'
  /** A zip member with an unsafe name (traversal, absolute) or one that inflates past a cap. */
  | 'unsafe-zip'
  /** The download is not a readable zip archive. */
  | 'bad-zip'
  /** The download holds none of the files the pipeline wants. */
  | 'no-wanted-files'
  /** The release folder exists already, or the published file changed after it landed. */
  | 'conflict';

export class FetchError extends Error {
  readonly url: string;
  readonly kind: FetchErrorKind;
  /** HTTP status when one was received. */
  readonly status: number | null;
  /** Whether another attempt may succeed (5xx, network errors, timeouts). */
  readonly retryable: boolean;

  constructor(
    kind: FetchErrorKind,
    url: string,
    message: string,
    options: { status?: number | null; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(`${url}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FetchError';
    this.kind = kind;
    this.url = url;
    this.status = options.status ?? null;
    this.retryable = options.retryable ?? false;
  }
}

export function isFetchError(error: unknown, kind?: FetchErrorKind): error is FetchError {
  return error instanceof FetchError && (kind === undefined || error.kind === kind);
}
