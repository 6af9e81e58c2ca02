import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceError, type PriceRequest, type PriceResult, price } from '../marts/price.js';
import { type FeeSchedule, openFeeSchedule } from '../src/db/fee-schedule.js';
import { fse } from './helpers/cli.js';
import { openFullRefresh, rows } from './helpers/database.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';
import { dollars, feeCents, gpciLine, percentCents, rvuLine } from './helpers/rvu-package.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

/**
 * `price` on real codes whose indicators call for each rule, in San Francisco (01112-05). Every
 * expected amount is worked out here from the RVU25D files' own values (test/helpers/rvu-package).
 */
let schedule: FeeSchedule;
let labels: Map<string, string>;
const SF = gpciLine('01112', '05');

beforeAll(async () => {
  schedule = await openFeeSchedule(join(shared.outDir, 'fee_schedule.duckdb'));
  const db = await openFullRefresh();
  try {
    const found = await rows(
      db,
      "SELECT system, code, label FROM indicator_code WHERE system LIKE 'pfs_%'",
    );
    labels = new Map(found.map((r) => [`${r.system} ${r.code}`, String(r.label)]));
  } finally {
    db.close();
  }
});
afterAll(() => schedule.close());

async function one(
  request: Omit<PriceRequest, 'locality'> & { locality?: string },
): Promise<PriceResult> {
  const results = await price(schedule, { locality: '01112-05', ...request });
  expect(results.map((r) => r.basis)).toEqual(['all']);
  return results[0] as PriceResult;
}

const fee = (hcpcs: string, modifier = '', facility = false) =>
  feeCents(rvuLine(hcpcs, modifier), SF, facility);

describe('price: the indicator rules on real codes', () => {
  it('49505 with 50 (bilateral indicator 1): 150 %', async () => {
    expect(rvuLine('49505').status).toBe('A');
    const result = await one({ lines: [{ hcpcs: '49505', modifiers: ['50'] }] });
    const [line] = result.lines;
    expect(line?.fee_schedule_amount).toBe(dollars(fee('49505')));
    expect(line?.amount).toBe(dollars(percentCents(fee('49505'), '150')));
    expect(line?.rules).toEqual([
      expect.objectContaining({
        system: 'pfs_bilateral_surgery',
        code: '1',
        modifier: '50',
        percent: 150,
        label: labels.get('pfs_bilateral_surgery 1'),
      }),
    ]);
    expect(result.total).toBe(line?.amount);
  });

  it('22612 with 62 (co-surgeons indicator 2): 62.5 % each, to the cent', async () => {
    const result = await one({ lines: [{ hcpcs: '22612', modifiers: ['62'] }] });
    expect(result.lines[0]?.amount).toBe(dollars(percentCents(fee('22612'), '62.5')));
    expect(result.lines[0]?.rules[0]).toMatchObject({
      system: 'pfs_co_surgeons',
      code: '2',
      authority: expect.stringContaining('Chapter 12, §40.8'),
    });
  });

  it('22612 with 80 (assistant indicator 2): 16 %; with AS: 13.6 %', async () => {
    const assistant = await one({ lines: [{ hcpcs: '22612', modifiers: ['80'] }] });
    expect(assistant.lines[0]?.amount).toBe(dollars(percentCents(fee('22612'), '16')));
    const nonPhysician = await one({ lines: [{ hcpcs: '22612', modifiers: ['AS'] }] });
    expect(nonPhysician.lines[0]?.amount).toBe(dollars(percentCents(fee('22612'), '13.6')));
    expect(nonPhysician.lines[0]?.rules[0]).toMatchObject({
      system: 'pfs_assistant_surgery',
      code: '2',
      label: labels.get('pfs_assistant_surgery 2'),
    });
  });

  it('69436 with 80 (assistant indicator 1, the statutory restriction): no amount', async () => {
    const result = await one({ lines: [{ hcpcs: '69436', modifiers: ['80'] }] });
    expect(result.lines[0]?.amount).toBeNull();
    expect(result.lines[0]?.no_amount_reason).toBe(
      `modifier 80: ${labels.get('pfs_assistant_surgery 1')}`,
    );
  });

  it('71046 as 26 and as TC (PC/TC indicator 1): each its own RVU row', async () => {
    const professional = await one({ lines: [{ hcpcs: '71046', modifiers: ['26'] }] });
    const technical = await one({ lines: [{ hcpcs: '71046', modifiers: ['TC'] }] });
    const global = await one({ lines: [{ hcpcs: '71046' }] });
    expect(professional.lines[0]?.amount).toBe(dollars(fee('71046', '26')));
    expect(technical.lines[0]?.amount).toBe(dollars(fee('71046', 'TC')));
    expect(global.lines[0]?.amount).toBe(dollars(fee('71046')));
    expect(professional.lines[0]?.sources.rvu).toBe(
      `pfs-rvu/RVU25D/PPRRVU2025_Oct.csv:${rvuLine('71046', '26').line}`,
    );
  });

  it('38211 (status I) and 20930 (status B): the status label, no amount', async () => {
    for (const [hcpcs, status] of [
      ['38211', 'I'],
      ['20930', 'B'],
    ] as const) {
      expect(rvuLine(hcpcs).status).toBe(status);
      const result = await one({ lines: [{ hcpcs }] });
      expect(result.lines[0]).toMatchObject({
        status_code: status,
        status_label: labels.get(`pfs_status_code ${status}`),
        amount: null,
        no_amount_reason: `status ${status}: ${labels.get(`pfs_status_code ${status}`)}`,
      });
      expect(result.total).toBeNull();
    }
  });

  it('a claim with a line of no amount: the total is the other lines, the line named', async () => {
    // 99213 (status A, multiple procedure 0) and 38211 (status I, no payment).
    expect([rvuLine('99213').status, rvuLine('38211').status]).toEqual(['A', 'I']);
    const result = await one({ lines: [{ hcpcs: '99213' }, { hcpcs: '38211' }] });
    expect(result.lines.map((l) => l.amount)).toEqual([dollars(fee('99213')), null]);
    expect(result.total).toBe(dollars(fee('99213')));
    expect(result.not_in_total).toEqual([
      {
        line: 2,
        hcpcs: '38211',
        modifiers: [],
        status_code: 'I',
        status_label: labels.get('pfs_status_code I'),
        reason: `status I: ${labels.get('pfs_status_code I')}`,
      },
    ]);
    const none = await one({ lines: [{ hcpcs: '38211' }, { hcpcs: '20930' }] });
    expect(none.total).toBeNull();
    expect(none.not_in_total.map((l) => [l.line, l.hcpcs, l.status_code])).toEqual([
      [1, '38211', 'I'],
      [2, '20930', 'B'],
    ]);
    const priced = await one({ lines: [{ hcpcs: '99213' }] });
    expect(priced.not_in_total).toEqual([]);
  });

  it('22836 with 66 (team surgery indicator 1): by report, no amount', async () => {
    const result = await one({ lines: [{ hcpcs: '22836', modifiers: ['66'] }] });
    expect(result.lines[0]?.amount).toBeNull();
    expect(result.lines[0]?.rules[0]).toMatchObject({
      system: 'pfs_team_surgery',
      code: '1',
      percent: null,
    });
  });

  it('47562 and 49505-51 on one claim (multiple procedure 2): the lesser at 50 %', async () => {
    const result = await one({
      lines: [{ hcpcs: '49505', modifiers: ['51'] }, { hcpcs: '47562' }],
    });
    expect(fee('47562')).toBeGreaterThan(fee('49505'));
    const [hernia, gallbladder] = result.lines;
    expect(gallbladder?.amount).toBe(dollars(fee('47562')));
    expect(hernia?.amount).toBe(dollars(percentCents(fee('49505'), '50')));
    expect(hernia?.rules[0]).toMatchObject({
      system: 'pfs_multiple_procedure',
      code: '2',
      percent: 50,
    });
    expect(result.total).toBe(dollars(fee('47562') + percentCents(fee('49505'), '50')));
  });

  it('the facility amount uses the facility PE RVU', async () => {
    const result = await one({ lines: [{ hcpcs: '71046', modifiers: ['TC'] }], facility: true });
    expect(result.setting).toBe('facility');
    expect(result.lines[0]?.amount).toBe(dollars(fee('71046', 'TC', true)));
  });

  it('finds the locality by state too (CA-05), and the release in force on a day', async () => {
    const result = await one({
      lines: [{ hcpcs: '71046' }],
      locality: 'CA-05',
      asOf: '2025-11-15',
    });
    expect(result.locality).toMatchObject({ mac: '01112', locality_number: '05', state: 'CA' });
    expect(result.release_id).toBe('RVU25D');
    expect(result.copyright).toMatch(/American Medical Association/);
  });

  it('refuses what it cannot price, saying why', async () => {
    await expect(
      price(schedule, { lines: [{ hcpcs: '71046' }], locality: 'CA-77' }),
    ).rejects.toThrow(/no locality "CA-77" in the GPCI file of RVU25D; CA has: 01112-05 CA/);
    await expect(
      price(schedule, { lines: [{ hcpcs: '71046', modifiers: ['99'] }], locality: 'CA-05' }),
    ).rejects.toThrow(PriceError);
    await expect(
      price(schedule, { lines: [{ hcpcs: '71046' }], locality: 'CA-05', asOf: '2010-01-01' }),
    ).rejects.toThrow('no PFS release was in force on 2010-01-01');
    await expect(
      price(schedule, { lines: [{ hcpcs: '22612', modifiers: ['TC'] }], locality: 'CA-05' }),
    ).rejects.toThrow(/22612-TC: no such row in RVU25D \(PC\/TC indicator 0/);
  });
});

describe('fse price', () => {
  const out = () => shared.outDir;

  it('prints the amount, the formula, each rule with its wording and the AMA notice', async () => {
    const result = await fse('price', '22612-62', '--locality', 'CA-05', '--out', out());
    expect(result.code, result.stderr).toBe(0);
    const amount = dollars(percentCents(fee('22612'), '62.5'));
    expect(result.stdout).toContain(`fee schedule ${dollars(fee('22612'))} = round((23.53 × `);
    expect(result.stdout).toContain(
      `modifier 62, pfs_co_surgeons 2 "${labels.get('pfs_co_surgeons 2')}": 62.5 %`,
    );
    expect(result.stdout).toContain(`  pays ${amount}\n`);
    expect(result.stdout).toMatch(
      /CPT codes and descriptions only are copyright American Medical Association/,
    );
  });

  it('--json gives what price() gives', async () => {
    const result = await fse(
      'price',
      '71046',
      '--modifier',
      'TC',
      '--locality',
      '01112-05',
      '--json',
      '--out',
      out(),
    );
    expect(result.code, result.stderr).toBe(0);
    const [parsed] = JSON.parse(result.stdout) as PriceResult[];
    expect(parsed?.lines[0]).toMatchObject({
      hcpcs: '71046',
      modifiers: ['TC'],
      amount: dollars(fee('71046', 'TC')),
    });
  });

  it('exits 1 naming the problem for a code the schedule lacks, 2 for a malformed code', async () => {
    const partial = await fse('price', '99213', '38211', '--locality', 'CA-05', '--out', out());
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toContain(
      `total ${dollars(fee('99213'))}, the sum of 1 of the 2 lines (1 with no amount)\n` +
        `  not in the total: line 2, 38211: status I: ${labels.get('pfs_status_code I')}\n`,
    );
    const nothing = await fse('price', '38211', '--locality', 'CA-05', '--out', out());
    expect(nothing.stdout).toContain('total: none, no line has an amount\n');
    const missing = await fse('price', '0000Z', '--locality', 'CA-05', '--out', out());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('0000Z: not in the fee schedule of RVU25D');
    const malformed = await fse('price', '7104', '--locality', 'CA-05', '--out', out());
    expect(malformed.code).toBe(2);
  });
});
