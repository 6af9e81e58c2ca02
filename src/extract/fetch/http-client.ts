import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { PIPELINE_VERSION } from '../../version.js';
import { checkUrlAllowed, type HostPolicy, urlPolicyProblem } from './allowlist.js';
import { FetchError } from './errors.js';
import { HostRateLimiter } from './rate-limit.js';
import { writeAll } from './temp-files.js';

/** Placeholder project URL in the User-Agent: CMS can see who is calling and where to complain. */
export const PROJECT_URL_PLACEHOLDER = 'https://github.com/OWNER/fee-schedule-etl';
export const DEFAULT_USER_AGENT = `fee-schedule-etl/${PIPELINE_VERSION} (+${PROJECT_URL_PLACEHOLDER})`;

export interface HttpClientOptions extends HostPolicy {
  userAgent?: string;
  /** Time from sending a request until its response headers arrive (connect, TLS, first byte). */
  connectTimeoutMs?: number;
  /** Longest pause between two chunks of a response body. */
  idleTimeoutMs?: number;
  /**
   * Longest an attempt may take in all, from the request to the body's last byte: a body
   * trickled in just under the idle timeout would otherwise keep an attempt alive for ever.
   */
  responseDeadlineMs?: number;
  /** Further attempts after a 5xx, a network error or a timeout; 4xx is never retried. */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter (half fixed, half random). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Largest body accepted, checked against Content-Length and while streaming. */
  maxResponseBytes?: number;
  /** Politeness: the least time between two requests to one host (every hop and retry counts). */
  minRequestIntervalMs?: number;
  maxRedirects?: number;
  /** Share one limiter between clients that reach the same hosts (default: one per client). */
  rateLimiter?: HostRateLimiter;
  /** For tests: a deterministic jitter source in [0, 1). */
  random?: () => number;
  log?: (line: string) => void;
}

export const DEFAULT_HTTP_OPTIONS = {
  userAgent: DEFAULT_USER_AGENT,
  connectTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  responseDeadlineMs: 30 * 60_000,
  retries: 3,
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
  maxResponseBytes: 512 * 1024 * 1024,
  minRequestIntervalMs: 1_000,
  maxRedirects: 5,
} as const;

/** What a server said about a file's version: sent back as If-None-Match / If-Modified-Since. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export interface DownloadOptions {
  /** Validators remembered from an earlier download of this URL: a 304 answer means unchanged. */
  validators?: Validators | null;
  /** Overrides the client's maximum response size for this download. */
  maxBytes?: number;
}

export type DownloadResult =
  | {
      status: 'downloaded';
      url: string;
      /** The URL after redirects. */
      finalUrl: string;
      path: string;
      sha256: string;
      bytes: number;
      contentType: string | null;
      validators: Validators;
    }
  | { status: 'unchanged'; url: string; finalUrl: string; validators: Validators };

export interface TextResult {
  url: string;
  finalUrl: string;
  text: string;
  contentType: string | null;
  /** What the server said about this version of the page (ETag, Last-Modified). */
  validators: Validators;
}

/** A page asked for with validators: its text, or 304 (unchanged since those validators). */
export type PageResult =
  | ({ status: 'changed' } & TextResult)
  | { status: 'unchanged'; url: string; finalUrl: string; validators: Validators };

/** A 304 to a conditional request: the validators the server sent, else those asked with. */
function unchanged(
  url: string,
  finalUrl: string,
  received: Validators,
  asked: Validators | undefined | null,
): { status: 'unchanged'; url: string; finalUrl: string; validators: Validators } {
  return {
    status: 'unchanged',
    url,
    finalUrl,
    validators: {
      etag: received.etag ?? asked?.etag ?? null,
      lastModified: received.lastModified ?? asked?.lastModified ?? null,
    },
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_TEXT_MAX_BYTES = 10 * 1024 * 1024;
const SNIFF_BYTES = 512;

/**
 * HTTP GET with the fetcher's rules: host allowlist on every hop, timeouts, retries with backoff
 * on 5xx and network errors, a size cap, a per-host request rate and conditional requests.
 */
export class HttpClient {
  readonly options: Required<Omit<HttpClientOptions, 'random' | 'log' | 'rateLimiter'>> &
    Pick<HttpClientOptions, 'random' | 'log'>;
  private readonly limiter: HostRateLimiter;

  constructor(options: HttpClientOptions) {
    const { rateLimiter, ...rest } = options;
    this.options = {
      ...DEFAULT_HTTP_OPTIONS,
      allowInsecureHttp: false,
      ...rest,
    };
    this.limiter = rateLimiter ?? new HostRateLimiter(this.options.minRequestIntervalMs);
  }

  /**
   * Streams a data file (zip, csv, txt, xlsx) into `destPath`, hashing it on the way. An HTML
   * page is refused. On any failure `destPath` is removed; on 304 it is never created.
   */
  async download(
    url: string,
    destPath: string,
    options: DownloadOptions = {},
  ): Promise<DownloadResult> {
    try {
      return await this.withRetries(() => this.downloadOnce(url, destPath, options));
    } catch (error) {
      await rm(destPath, { force: true });
      throw error;
    }
  }

  /** Fetches an HTML (or other text) page into memory, e.g. a landing page. */
  async getText(url: string, options: { maxBytes?: number } = {}): Promise<TextResult> {
    const result = await this.withRetries(() => this.getTextOnce(url, options.maxBytes, null));
    if (result.status === 'unchanged') {
      throw new FetchError('http', result.finalUrl, 'HTTP 304 to an unconditional request');
    }
    const { status: _status, ...text } = result;
    return text;
  }

  /**
   * A page asked for conditionally: with validators remembered from an earlier answer the server
   * may say 304 (unchanged), and nothing is read.
   */
  async getPage(
    url: string,
    options: { validators?: Validators | null; maxBytes?: number } = {},
  ): Promise<PageResult> {
    return this.withRetries(() =>
      this.getTextOnce(url, options.maxBytes, options.validators ?? null),
    );
  }

  private async downloadOnce(
    url: string,
    destPath: string,
    options: DownloadOptions,
  ): Promise<DownloadResult> {
    const validators = options.validators ?? null;
    const headers: Record<string, string> = { accept: '*/*' };
    if (validators?.etag) headers['if-none-match'] = validators.etag;
    if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
    const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;
    const maxBytes = options.maxBytes ?? this.options.maxResponseBytes;

    const attempt = new AttemptTimer(this.options.responseDeadlineMs);
    try {
      const { response, finalUrl } = await this.openFollowingRedirects(url, headers, attempt);
      const received = validatorsOf(response);
      if (response.status === 304 && conditional) {
        attempt.abort();
        return unchanged(url, finalUrl, received, validators);
      }
      this.checkStatus(response, finalUrl, attempt);
      const contentType = response.headers.get('content-type');
      if (contentType && /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType)) {
        attempt.abort();
        throw new FetchError(
          'html-instead-of-data',
          finalUrl,
          `expected a data file (zip, csv, txt, xlsx) but the server sent an HTML page (content-type ${contentType})`,
          { status: response.status },
        );
      }
      this.checkContentLength(response, finalUrl, maxBytes, attempt);

      const hash = createHash('sha256');
      let bytes = 0;
      let head = Buffer.alloc(0);
      let sniffed = false;
      const file = await open(destPath, 'w');
      try {
        for await (const chunk of this.readBody(response, finalUrl, maxBytes, attempt)) {
          bytes += chunk.length;
          if (!sniffed) {
            head = Buffer.concat([head, chunk]).subarray(0, SNIFF_BYTES);
            if (head.length >= SNIFF_BYTES) {
              sniffed = true;
              refuseHtmlBody(head, finalUrl, response.status, attempt);
            }
          }
          hash.update(chunk);
          await writeAll(file, chunk);
        }
        if (!sniffed) refuseHtmlBody(head, finalUrl, response.status, attempt);
        await file.sync();
      } finally {
        await file.close();
      }
      return {
        status: 'downloaded',
        url,
        finalUrl,
        path: destPath,
        sha256: hash.digest('hex'),
        bytes,
        contentType,
        validators: received,
      };
    } catch (error) {
      throw attempt.translate(error, url);
    } finally {
      attempt.finish();
    }
  }

  private async getTextOnce(
    url: string,
    maxBytesOption: number | undefined,
    validators: Validators | null,
  ): Promise<PageResult> {
    const maxBytes =
      maxBytesOption ?? Math.min(DEFAULT_TEXT_MAX_BYTES, this.options.maxResponseBytes);
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
    };
    if (validators?.etag) headers['if-none-match'] = validators.etag;
    if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
    const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;
    const attempt = new AttemptTimer(this.options.responseDeadlineMs);
    try {
      const { response, finalUrl } = await this.openFollowingRedirects(url, headers, attempt);
      const received = validatorsOf(response);
      if (response.status === 304 && conditional) {
        attempt.abort();
        return unchanged(url, finalUrl, received, validators);
      }
      this.checkStatus(response, finalUrl, attempt);
      this.checkContentLength(response, finalUrl, maxBytes, attempt);
      const chunks: Buffer[] = [];
      for await (const chunk of this.readBody(response, finalUrl, maxBytes, attempt)) {
        chunks.push(chunk);
      }
      return {
        status: 'changed',
        url,
        finalUrl,
        text: new TextDecoder('utf-8').decode(Buffer.concat(chunks)),
        contentType: response.headers.get('content-type'),
        validators: received,
      };
    } catch (error) {
      throw attempt.translate(error, url);
    } finally {
      attempt.finish();
    }
  }

  /** Sends the request and follows up to maxRedirects redirects, each hop checked first. */
  private async openFollowingRedirects(
    url: string,
    headers: Record<string, string>,
    attempt: AttemptTimer,
  ): Promise<{ response: Response; finalUrl: string }> {
    let current = checkUrlAllowed(url, this.options);
    for (let hop = 0; ; hop++) {
      await this.limiter.acquire(current.host);
      attempt.currentUrl = current.href;
      attempt.arm(
        this.options.connectTimeoutMs,
        `no response headers within ${this.options.connectTimeoutMs} ms (connect timeout)`,
      );
      const response = await fetch(current, {
        method: 'GET',
        headers: { 'user-agent': this.options.userAgent, ...headers },
        redirect: 'manual',
        signal: attempt.signal,
      });
      attempt.clear();
      if (!REDIRECT_STATUSES.has(response.status)) return { response, finalUrl: current.href };

      const location = response.headers.get('location');
      attempt.abort();
      if (!location) {
        throw new FetchError(
          'http',
          current.href,
          `redirect ${response.status} without a Location`,
          {
            status: response.status,
          },
        );
      }
      if (hop >= this.options.maxRedirects) {
        throw new FetchError(
          'too-many-redirects',
          url,
          `more than ${this.options.maxRedirects} redirects (last hop ${current.href} → ${location})`,
          { status: response.status },
        );
      }
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new FetchError(
          'http',
          current.href,
          `redirect to an unparsable Location "${location}"`,
        );
      }
      const problem = urlPolicyProblem(next, this.options);
      if (problem !== null) {
        throw new FetchError(
          'not-allowed',
          next.href,
          `redirect from ${current.href} refused: ${problem}`,
          {
            status: response.status,
          },
        );
      }
      current = next;
      attempt.renew();
    }
  }

  private checkStatus(response: Response, finalUrl: string, attempt: AttemptTimer): void {
    if (response.status >= 200 && response.status < 300) return;
    attempt.abort();
    const retryable = response.status >= 500;
    throw new FetchError(
      'http',
      finalUrl,
      `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${
        retryable ? '' : ' (client error: not retried)'
      }`,
      { status: response.status, retryable },
    );
  }

  private checkContentLength(
    response: Response,
    finalUrl: string,
    maxBytes: number,
    attempt: AttemptTimer,
  ): void {
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    const encoding = (response.headers.get('content-encoding') ?? 'identity').toLowerCase();
    if (encoding === 'identity' && Number.isFinite(length) && length > maxBytes) {
      attempt.abort();
      throw new FetchError(
        'too-large',
        finalUrl,
        `Content-Length ${length} bytes exceeds the maximum response size of ${maxBytes} bytes`,
        { status: response.status },
      );
    }
  }

  /** The body as chunks, with the idle timeout re-armed for each chunk and the size cap checked. */
  private async *readBody(
    response: Response,
    finalUrl: string,
    maxBytes: number,
    attempt: AttemptTimer,
  ): AsyncGenerator<Buffer> {
    if (!response.body) return;
    const reader = response.body.getReader();
    let total = 0;
    const idle = this.options.idleTimeoutMs;
    try {
      for (;;) {
        attempt.arm(idle, `the response body stalled for more than ${idle} ms (read timeout)`);
        const { done, value } = await reader.read();
        attempt.clear();
        if (done) return;
        total += value.byteLength;
        if (total > maxBytes) {
          attempt.abort();
          throw new FetchError(
            'too-large',
            finalUrl,
            `response body passed the maximum response size of ${maxBytes} bytes; download aborted`,
            { status: response.status },
          );
        }
        yield Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
    } finally {
      reader.releaseLock();
    }
  }

  private async withRetries<T>(run: () => Promise<T>): Promise<T> {
    const { retries, backoffBaseMs, backoffMaxMs } = this.options;
    const random = this.options.random ?? Math.random;
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof FetchError) || !error.retryable || attempt >= retries) throw error;
        const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** attempt);
        const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
        this.options.log?.(
          `fetch: ${error.message}; retry ${attempt + 1} of ${retries} in ${delay} ms`,
        );
        await sleep(delay);
      }
    }
  }
}

function validatorsOf(response: Response): Validators {
  return {
    etag: response.headers.get('etag'),
    lastModified: response.headers.get('last-modified'),
  };
}

/** `<!DOCTYPE html` or `<html` at the start (after a BOM and white space) marks an HTML page. */
export function looksLikeHtml(head: Buffer): boolean {
  const text = head.toString('latin1').replace(/^\xef\xbb\xbf/, '');
  return /^\s*<(!doctype\s+html|html[\s>])/i.test(text);
}

function refuseHtmlBody(head: Buffer, url: string, status: number, attempt: AttemptTimer): void {
  if (!looksLikeHtml(head)) return;
  attempt.abort();
  throw new FetchError(
    'html-instead-of-data',
    url,
    'expected a data file (zip, csv, txt, xlsx) but the body is an HTML page (starts with <!DOCTYPE html / <html)',
    { status },
  );
}

/** One attempt's abort controller, timeout timers (a step's, the whole attempt's) and the reason one fired. */
class AttemptTimer {
  private controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly deadline: NodeJS.Timeout;
  private timedOut: string | null = null;
  currentUrl: string | null = null;

  constructor(deadlineMs: number) {
    this.deadline = setTimeout(() => {
      this.timedOut = `the response took longer than the deadline of ${deadlineMs} ms in all (response deadline)`;
      this.controller.abort();
    }, deadlineMs);
  }

  /** The attempt is over: no timer may fire any more. */
  finish(): void {
    this.clear();
    clearTimeout(this.deadline);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  arm(ms: number, reason: string): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timedOut = reason;
      this.controller.abort();
    }, ms);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Drops the current response (and its connection). */
  abort(): void {
    this.clear();
    this.controller.abort();
  }

  /** A fresh controller for the next redirect hop. */
  renew(): void {
    this.clear();
    this.controller = new AbortController();
  }

  /** Maps what an attempt threw to a FetchError: timeouts and network errors are retryable. */
  translate(error: unknown, url: string): unknown {
    this.clear();
    if (this.timedOut !== null) {
      return new FetchError('timeout', this.currentUrl ?? url, this.timedOut, {
        retryable: true,
        cause: error,
      });
    }
    if (error instanceof FetchError) return error;
    if (error instanceof Error && (error.name === 'TypeError' || isSocketError(error))) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? error.message;
      return new FetchError('network', this.currentUrl ?? url, `network error: ${detail}`, {
        retryable: true,
        cause: error,
      });
    }
    return error;
  }
}

function isSocketError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_|UND_ERR)/.test(code);
}
