import type { PipelineDefinition } from '../../src/pipeline-definition.js';
import { pfsRvuPipeline } from './pipeline.js';

/**
 * What a source shipped in the RVU zip beside PPRRVU shares with it: its release folders (and
 * so their names, dates and corrections), its page and its cadence.
 */
export const RVU_PACKAGE_MEMBER = {
  releasesOf: pfsRvuPipeline.source,
  cadence: pfsRvuPipeline.cadence,
  landingPage: pfsRvuPipeline.landingPage,
  releaseFromFolder: pfsRvuPipeline.releaseFromFolder,
  ...(pfsRvuPipeline.releaseOverrides ? { releaseOverrides: pfsRvuPipeline.releaseOverrides } : {}),
} satisfies Partial<PipelineDefinition>;
