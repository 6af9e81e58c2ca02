export {
  clientForPage,
  discoverNewReleases,
  discoverReleases,
  type FetchNewReleasesOptions,
  type FetchPipelinesOptions,
  fetchNewPipelineReleases,
  fetchNewReleases,
  LANDING_PAGES,
  presentReleases,
  resolveDownloadUrl,
  toReleaseDownload,
  wantedMembersOf,
} from './discover.js';
export {
  DiscoveryError,
  extractLinks,
  findDownloadLink,
  type LandingPage,
  type PageLink,
  parseLandingPage,
  type ReleaseCandidate,
  type ReleaseLink,
} from './landing-page.js';
export {
  effectiveDateIn,
  isPfsDownloadLink,
  PFS_RVU_LANDING_PAGE,
  pfsReleaseFromLink,
  pfsReleaseIdFromLink,
} from './pfs-rvu.js';
