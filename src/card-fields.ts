import type { CodeCardView } from './db/schema.js';

/** One field of the code card: a code_card column, the source it comes from and its code table. */
export interface CardField {
  column: keyof CodeCardView & string;
  source: string;
  /** code_card column naming the release of `source` consulted. */
  releaseColumn: keyof CodeCardView & string;
  /** Code table decoding the value (its indicator_system.name is the field's name). */
  system?: string;
  /** Name for fields no code table decodes. */
  name?: string;
}

const pfs = { source: 'pfs-rvu', releaseColumn: 'pfs_release' } as const;
const opps = { source: 'opps-addendum-b', releaseColumn: 'opps_release' } as const;
const hcpcs = { source: 'hcpcs', releaseColumn: 'hcpcs_release' } as const;
const mue = { source: 'mue', releaseColumn: 'mue_release' } as const;
const ccs = { source: 'ccs', releaseColumn: 'ccs_release' } as const;

/** The code card, in the order a code page shows it. */
export const CARD_FIELDS: readonly CardField[] = [
  { column: 'status_code', system: 'pfs_status_code', ...pfs },
  { column: 'global_days', system: 'pfs_global_days', ...pfs },
  { column: 'pctc_indicator', system: 'pfs_pctc_indicator', ...pfs },
  { column: 'multiple_procedure', system: 'pfs_multiple_procedure', ...pfs },
  { column: 'bilateral_surgery', system: 'pfs_bilateral_surgery', ...pfs },
  { column: 'physician_supervision', system: 'pfs_physician_supervision', ...pfs },
  { column: 'assistant_surgery', system: 'pfs_assistant_surgery', ...pfs },
  { column: 'co_surgeons', system: 'pfs_co_surgeons', ...pfs },
  { column: 'team_surgery', system: 'pfs_team_surgery', ...pfs },
  { column: 'diagnostic_imaging_family', system: 'pfs_diagnostic_imaging_family', ...pfs },
  { column: 'apc_status_indicator', system: 'opps_status_indicator', ...opps },
  { column: 'apc', name: 'APC', ...opps },
  { column: 'type_of_service', system: 'hcpcs_type_of_service', ...hcpcs },
  { column: 'betos', system: 'hcpcs_betos', ...hcpcs },
  { column: 'mue_practitioner', name: 'MUE (practitioner)', ...mue },
  { column: 'mue_outpatient_hospital', name: 'MUE (outpatient hospital)', ...mue },
  { column: 'ccs_category', system: 'ccs_category', ...ccs },
];
