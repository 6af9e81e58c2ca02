export { checkUrlAllowed, type HostPolicy, urlPolicyProblem } from './allowlist.js';
export { FetchError, type FetchErrorKind, isFetchError } from './errors.js';
export {
  type FetchedFile,
  type FetchReleaseOptions,
  type FetchReleaseResult,
  fetchRelease,
  type ReleaseDownload,
} from './fetch-release.js';
export {
  FETCH_STATE_FILE_NAME,
  type FetchState,
  type FetchStateEntry,
  fetchStatePath,
  readFetchState,
  recordFetch,
  validatorsFor,
} from './fetch-state.js';
export {
  DEFAULT_HTTP_OPTIONS,
  DEFAULT_USER_AGENT,
  type DownloadOptions,
  type DownloadResult,
  HttpClient,
  type HttpClientOptions,
  looksLikeHtml,
  type TextResult,
  type Validators,
} from './http-client.js';
export { HostRateLimiter } from './rate-limit.js';
export { removeStaleTemps, TEMP_PREFIX } from './temp-files.js';
export {
  DEFAULT_ZIP_LIMITS,
  type ExtractedMember,
  type ExtractResult,
  extractZipMembers,
  type MemberSelector,
  memberPathProblem,
  sanitiseMemberName,
  type ZipLimits,
} from './zip.js';
