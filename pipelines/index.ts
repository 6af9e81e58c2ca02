import type { PipelineDefinition } from '../src/pipeline-definition.js';
import { ccsPipeline } from './ccs/pipeline.js';
import { hcpcsPipeline } from './hcpcs/pipeline.js';
import { muePipeline } from './mue/pipeline.js';
import { oppsAddendumBPipeline } from './opps-addendum-b/pipeline.js';
import { pfsRvuPipeline } from './pfs-rvu/pipeline.js';

/** Every source the refresh knows, in load order. */
export const PIPELINES: readonly PipelineDefinition[] = [
  pfsRvuPipeline,
  hcpcsPipeline,
  oppsAddendumBPipeline,
  muePipeline,
  ccsPipeline,
];
