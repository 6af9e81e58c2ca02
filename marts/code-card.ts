import { betosPipeline } from '../pipelines/betos/pipeline.js';
import { ccsPipeline } from '../pipelines/ccs/pipeline.js';
import { hcpcsPipeline } from '../pipelines/hcpcs/pipeline.js';
import { muePipeline } from '../pipelines/mue/pipeline.js';
import { oppsAddendumBPipeline } from '../pipelines/opps-addendum-b/pipeline.js';
import { pfsRvuPipeline } from '../pipelines/pfs-rvu/pipeline.js';
import { type CodeCardDefinition, cardFields } from '../src/query/code-card.js';

/** The code card: each source's fields in the order a code page shows them, around the PFS row. */
export const CODE_CARD: CodeCardDefinition = {
  fields: cardFields([
    pfsRvuPipeline,
    oppsAddendumBPipeline,
    hcpcsPipeline,
    betosPipeline,
    muePipeline,
    ccsPipeline,
  ]),
  row: {
    label: 'PFS row',
    // The RVUs: the decimal columns of the PFS file.
    numbers: [
      ...pfsRvuPipeline.columns.filter((c) => c.decimal).map((c) => c.name),
      'qpp_conversion_factor',
    ] as CodeCardDefinition['row']['numbers'],
    file: 'pfs_source_file',
    line: 'pfs_source_line',
  },
};

/** The fields of the card, in order (CODE_CARD.fields). */
export const CARD_FIELDS = CODE_CARD.fields;
