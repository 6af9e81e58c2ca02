import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oppsAddendumBPipeline } from '../pipelines/opps-addendum-b/pipeline.js';
import type { DuckDBHandle } from '../src/db/open-duckdb.js';
import { rowsJson } from './helpers/duckdb.js';
import { makeTempDir, removeTempDirs } from './helpers/raw.js';
import { openStagingDatabase, stageFileOf } from './helpers/staging.js';

/**
 * The 508 CSV of Addendum B (2025 on; cms-formats.md sections 4.2 and 4.3): title rows with an
 * empty first cell, the header on line 4, "$"-prefixed quoted money with three decimals, the IRA
 * percentage as text, a trailing empty column, and stray 0xFF bytes, in descriptors and at the end
 * of two codes (January 2026). The rows are made up in that shape (Level II codes only).
 */
const CSV = [
  ',Addendum B.- OPPS Payment by HCPCS Code for CY 2026,,,,,,,,,,,',
  ',"CPT codes and descriptions only are copyright 2025 American Medical Association.  All Rights Reserved.",,,,,,,,,,,',
  ',Inflation-adjusted 3-digit coinsurance percentage may not precisely reflect the copayment amount due to rounding calculations.,,,,,,,,,,,',
  'HCPCS Code,Short Descriptor,SI,APC,Relative Weight,Payment Rate,National Unadjusted Copayment,Minimum Unadjusted Copayment,IRA Coinsurance percentage,Adjusted Beneficiary Copayment,Drug and Device Pass-Through Expiration during Calendar Year,Note,',
  'A0021,Outside state ambulance serv,A,,,,,,,,,,',
  'G0463,Hospital outpt clinic visit,J2,5012,1.6130,"$1,203.443",.,$24.07,,,,,',
  'J1100\u00ff,Dexamethasone\u00ffsodium phos,N,,,,,,,,,,',
  'Q5101,Inj filgrastim-sndz 1 mcg,K,1822,0.0034,$0.250,.,$0.05,19.787%,$0.04,,Inflation-adjusted coinsurance,',
].join('\r\n');

let db: DuckDBHandle;
let path: string;

beforeAll(async () => {
  db = await openStagingDatabase();
  path = join(await makeTempDir('opps-layouts'), '2026 January Web Addendum B.12.29.25.csv');
  await writeFile(path, `${CSV}\r\n`, 'latin1');
});

afterAll(async () => {
  db?.close();
  await removeTempDirs();
});

describe('Addendum B as a 508 CSV', () => {
  it('reads every row, the 0xFF after a code trimmed, the one inside a descriptor kept', async () => {
    const result = await stageFileOf(
      db.connection,
      oppsAddendumBPipeline,
      path,
      'opps-addendum-b/2026-01/2026 January Web Addendum B.12.29.25.csv',
      '2026-01',
    );
    expect(result).toEqual({ rowsStaged: 4, linesRejected: 0 });
    expect(
      await rowsJson(
        db.connection,
        `SELECT hcpcs, short_descriptor, status_indicator AS si, apc, payment_rate,
                ira_coinsurance_percentage AS ira, source_line::INTEGER AS line
         FROM stg_opps_addendum_b ORDER BY source_line`,
      ),
    ).toEqual([
      {
        hcpcs: 'A0021',
        short_descriptor: 'Outside state ambulance serv',
        si: 'A',
        apc: null,
        payment_rate: null,
        ira: null,
        line: 5,
      },
      {
        hcpcs: 'G0463',
        short_descriptor: 'Hospital outpt clinic visit',
        si: 'J2',
        apc: '5012',
        payment_rate: '$1,203.443',
        ira: null,
        line: 6,
      },
      {
        hcpcs: 'J1100',
        short_descriptor: 'Dexamethasone\u00ffsodium phos',
        si: 'N',
        apc: null,
        payment_rate: null,
        ira: null,
        line: 7,
      },
      {
        hcpcs: 'Q5101',
        short_descriptor: 'Inj filgrastim-sndz 1 mcg',
        si: 'K',
        apc: '1822',
        payment_rate: '$0.250',
        ira: '19.787%',
        line: 8,
      },
    ]);
  });
});
