/**
 * Why an online refresh's discovery failed: in a module of their own, so that the command line
 * names these failures without loading the discovery and fetch code (`fse lookup` starts faster).
 */

/**
 * Why discovery stopped. 'changed-shape': the page was read but holds no release link (or a
 * release page holds no file link) of the shape its parser expects: a person must look at it.
 * 'license-gated': the release's file is linked only through a license agreement that the
 * operator has not accepted (FSE_ACCEPT_AMA_LICENSE).
 */
export type DiscoveryErrorKind = 'changed-shape' | 'license-gated';

export class DiscoveryError extends Error {
  readonly kind: DiscoveryErrorKind;
  readonly source: string | null;
  constructor(
    readonly url: string,
    message: string,
    options: { kind?: DiscoveryErrorKind; source?: string } = {},
  ) {
    super(`${url}: ${message}`);
    this.name = 'DiscoveryError';
    this.kind = options.kind ?? 'changed-shape';
    this.source = options.source ?? null;
  }
}

/** A source whose discovery or fetch failed: its landing page and the error. */
export interface SourceFailure {
  source: string;
  page: string;
  error: Error;
}

/** Sources that failed in one online refresh, each named with its page and error. */
export class SourcesFailedError extends Error {
  constructor(readonly failures: readonly SourceFailure[]) {
    super(
      `${failures.length === 1 ? 'a source' : `${failures.length} sources`} could not be discovered or fetched:\n${failures
        .map((f) => `  ${f.source} (${f.page}): ${f.error.message}`)
        .join('\n')}`,
    );
    this.name = 'SourcesFailedError';
  }
}
