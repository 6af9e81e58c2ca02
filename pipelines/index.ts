import { CODE_CARD } from '../marts/code-card.js';
import { MARTS } from '../marts/index.js';
import { registerPrice } from '../marts/price-command.js';
import type { Catalog } from '../src/catalog.js';
import type { PipelineDefinition } from '../src/pipeline-definition.js';
import { betosPipeline } from './betos/pipeline.js';
import { ccsPipeline } from './ccs/pipeline.js';
import { codePagesSource } from './code-pages/pipeline.js';
import { hcpcsPipeline } from './hcpcs/pipeline.js';
import { muePipeline } from './mue/pipeline.js';
import { oppsAddendumBPipeline } from './opps-addendum-b/pipeline.js';
import { pfsAnesthesiaPipeline } from './pfs-anesthesia/pipeline.js';
import { pfsGpciPipeline } from './pfs-gpci/pipeline.js';
import { pfsLocalityPipeline } from './pfs-locality/pipeline.js';
import { pfsOppsCapPipeline } from './pfs-opps-cap/pipeline.js';
import { pfsRvuPipeline } from './pfs-rvu/pipeline.js';

/** Every source read from release files, in load order. */
export const PIPELINES: readonly PipelineDefinition[] = [
  pfsRvuPipeline,
  pfsGpciPipeline,
  pfsLocalityPipeline,
  pfsAnesthesiaPipeline,
  pfsOppsCapPipeline,
  hcpcsPipeline,
  oppsAddendumBPipeline,
  muePipeline,
  ccsPipeline,
  betosPipeline,
];

/** Every source the refresh knows, the marts across them and the code card. */
export const CATALOG: Catalog = {
  pipelines: PIPELINES,
  pageSources: [codePagesSource],
  marts: MARTS,
  card: CODE_CARD,
  commands: [registerPrice],
};
