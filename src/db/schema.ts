/**
 * The output schema as Kysely sees it. Value types follow the dialect's conversion:
 * DECIMAL → exact string, DATE → 'YYYY-MM-DD', BIGINT → bigint, TIMESTAMP → Date.
 * A test compares this interface's tables and columns with the database (test/db/schema.test.ts).
 */

type Decimal = string;
type IsoDate = string;

export interface RunTable {
  run_id: string;
  started_at: Date;
  raw_dir: string;
  pipeline_version: string;
}

export interface ReleaseTable {
  release_id: string;
  source: string;
  published: IsoDate | null;
  effective_from: IsoDate | null;
  effective_to: IsoDate | null;
  is_full: boolean;
  origin: string;
  license: string;
}

export interface SourceFileTable {
  source_file: string;
  release_id: string;
  file_name: string;
  format: string;
  role: string;
  sha256: string;
  bytes: bigint;
  lines: bigint;
  rows_staged: bigint;
  lines_rejected: bigint;
  origin: string;
}

export interface IndicatorSystemTable {
  system: string;
  source: string;
  name: string;
  description: string | null;
  source_column: string | null;
  source_document: string | null;
}

export interface IndicatorCodeTable {
  system: string;
  code: string;
  label: string;
  definition: string | null;
  payment_rule: string | null;
  valid_from: IsoDate | null;
  valid_to: IsoDate | null;
  source_document: string | null;
}

export interface RejectedRowTable {
  release_id: string;
  source_file: string;
  source_line: bigint;
  rule: string;
  column_name: string | null;
  value: string | null;
  detail: string | null;
  raw_text: string | null;
}

export interface CheckResultTable {
  run_id: string;
  check_name: string;
  table_name: string;
  severity: string;
  passed: boolean;
  failing_rows: bigint;
  detail: string | null;
}

export interface PfsRvuTable {
  release_id: string;
  hcpcs: string;
  modifier: string | null;
  description: string | null;
  status_code: string;
  not_used_for_medicare_payment: boolean;
  work_rvu: Decimal;
  non_facility_pe_rvu: Decimal;
  non_facility_na: boolean;
  facility_pe_rvu: Decimal;
  facility_na: boolean;
  mp_rvu: Decimal;
  non_facility_total: Decimal;
  facility_total: Decimal;
  pctc_indicator: string;
  global_days: string;
  pre_op: Decimal;
  intra_op: Decimal;
  post_op: Decimal;
  multiple_procedure: string;
  bilateral_surgery: string;
  assistant_surgery: string;
  co_surgeons: string;
  team_surgery: string;
  endoscopic_base_code: string | null;
  conversion_factor: Decimal;
  physician_supervision: string;
  calculation_flag: string;
  diagnostic_imaging_family: string;
  non_facility_pe_opps: Decimal;
  facility_pe_opps: Decimal;
  mp_opps: Decimal;
  source_file: string;
  source_line: number;
}

export interface PfsDecodedView {
  release_id: string;
  effective_from: IsoDate | null;
  hcpcs: string;
  modifier: string | null;
  modifier_label: string | null;
  description: string | null;
  status_code: string;
  status_label: string | null;
  not_used_for_medicare_payment: boolean;
  pctc_indicator: string;
  pctc_label: string | null;
  global_days: string;
  global_days_label: string | null;
  multiple_procedure: string;
  multiple_procedure_label: string | null;
  bilateral_surgery: string;
  bilateral_surgery_label: string | null;
  assistant_surgery: string;
  assistant_surgery_label: string | null;
  co_surgeons: string;
  co_surgeons_label: string | null;
  team_surgery: string;
  team_surgery_label: string | null;
  physician_supervision: string;
  physician_supervision_label: string | null;
  calculation_flag: string;
  calculation_flag_label: string | null;
  diagnostic_imaging_family: string;
  diagnostic_imaging_family_label: string | null;
  non_facility_na: boolean;
  facility_na: boolean;
  work_rvu: Decimal;
  non_facility_pe_rvu: Decimal;
  facility_pe_rvu: Decimal;
  mp_rvu: Decimal;
  non_facility_total: Decimal;
  facility_total: Decimal;
  conversion_factor: Decimal;
  endoscopic_base_code: string | null;
  source_file: string;
  source_line: number;
}

export interface Database {
  run: RunTable;
  release: ReleaseTable;
  source_file: SourceFileTable;
  indicator_system: IndicatorSystemTable;
  indicator_code: IndicatorCodeTable;
  rejected_row: RejectedRowTable;
  check_result: CheckResultTable;
  pfs_rvu: PfsRvuTable;
  pfs_decoded: PfsDecodedView;
}
