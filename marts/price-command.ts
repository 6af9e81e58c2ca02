import type { Command } from 'commander';
import { EXIT, UsageError } from '../src/commands/errors.js';
import { checkDate, defaultOutDir, publishedDatabase } from '../src/commands/options.js';
import { openFeeSchedule } from '../src/db/fee-schedule.js';
import { terminalJson, terminalText } from '../src/terminal-text.js';
import { type ClaimLine, PriceError, type PriceResult, price } from './price.js';
import { KNOWN_MODIFIERS } from './price-rules.js';

interface PriceOptions {
  locality: string;
  modifier: string[];
  facility?: boolean;
  asOf?: string;
  basis?: string;
  json?: boolean;
  out: string;
}

/**
 * `fse price 47562 49505-50 --locality CA-05`: codes of one claim, each with its modifiers after a
 * dash (or --modifier for every code), priced in one locality.
 */
export function registerPrice(program: Command): void {
  program
    .command('price')
    .description(
      'what Medicare pays for codes of one claim in one locality (PFS), each indicator rule named',
    )
    .argument('<code...>', 'HCPCS/CPT codes, modifiers after a dash: 27130-80 69436-50-51')
    .requiredOption('--locality <id>', 'MAC-locality (01112-05) or state-locality (CA-05)')
    .option(
      '--modifier <m>',
      `modifier for every code (repeatable): ${KNOWN_MODIFIERS.join(', ')}`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--facility', 'the facility amount (default: non-facility)')
    .option('--as-of <date>', 'the PFS release in force that day (YYYY-MM-DD); default the newest')
    .option(
      '--basis <basis>',
      'one payment basis (all, non_qpp, qpp); default each the release has',
    )
    .option('--json', 'print JSON for programs')
    .option('--out <dir>', 'output folder holding fee_schedule.duckdb', defaultOutDir())
    .action(async (codes: string[], options: PriceOptions) => {
      checkDate('--as-of', options.asOf);
      const lines = codes.map((code) => claimLine(code, options.modifier));
      const schedule = await openFeeSchedule(publishedDatabase(options.out));
      try {
        const results = await price(schedule, {
          lines,
          locality: options.locality,
          facility: options.facility === true,
          ...(options.asOf ? { asOf: options.asOf } : {}),
          ...(options.basis ? { basis: options.basis } : {}),
        });
        process.stdout.write(
          options.json
            ? terminalJson(`${JSON.stringify(results, null, 2)}\n`)
            : terminalText(`${results.map(formatResult).join('\n\n')}\n`),
        );
      } catch (error) {
        if (!(error instanceof PriceError)) throw error;
        process.stderr.write(terminalText(`price: ${error.message}\n`));
        process.exitCode = EXIT.blocked;
      } finally {
        await schedule.close();
      }
    });
}

function claimLine(text: string, modifiersForAll: readonly string[]): ClaimLine {
  const [hcpcs = '', ...modifiers] = text.trim().toUpperCase().split('-');
  if (!/^[A-Z0-9]{5}$/.test(hcpcs)) {
    throw new UsageError(`price: "${text}" is not a HCPCS/CPT code (five letters or digits)`);
  }
  return { hcpcs, modifiers: [...modifiers, ...modifiersForAll.map((m) => m.toUpperCase())] };
}

/** One basis of one claim, as a person reads it: each line, its formula, the rules, the total. */
export function formatResult(result: PriceResult): string {
  const { locality } = result;
  const out = [
    `PFS ${result.release_id}${result.effective_from ? ` (from ${result.effective_from})` : ''}, ` +
      `${result.setting}, basis ${result.basis}, conversion factor ${result.conversion_factor}`,
    `locality ${locality.mac}-${locality.locality_number} ${locality.state} ${locality.name}`,
  ];
  for (const line of result.lines) {
    const code = [line.hcpcs, ...line.modifiers].join('-');
    out.push('', `${code}  status ${line.status_code}: ${line.status_label}`);
    if (line.formula) out.push(`  fee schedule ${line.fee_schedule_amount} = ${line.formula}`);
    if (line.opps_cap)
      out.push(`  OPPS cap ${line.opps_cap}: paid the lesser, ${line.base_amount}`);
    for (const rule of line.rules) {
      const figure = rule.percent === null ? 'no amount' : `${rule.percent} %`;
      out.push(
        `  ${rule.modifier ? `modifier ${rule.modifier}, ` : ''}${rule.system} ${rule.code} "${rule.label}": ${figure} (${rule.authority})`,
      );
    }
    out.push(
      line.amount === null
        ? `  pays: no amount (${line.no_amount_reason})`
        : `  pays ${line.amount}`,
    );
    out.push(`  from ${line.sources.rvu}, ${line.sources.gpci}`);
    if (line.sources.opps_cap) out.push(`  and ${line.sources.opps_cap}`);
  }
  out.push('', totalText(result));
  for (const left of result.not_in_total) {
    out.push(
      `  not in the total: line ${left.line}, ${[left.hcpcs, ...left.modifiers].join('-')}: ${left.reason}`,
    );
  }
  out.push(result.copyright);
  return out.join('\n');
}

/** The total, and whether it leaves lines out: a line with no amount adds nothing to it. */
function totalText(result: PriceResult): string {
  const left = result.not_in_total.length;
  const all = result.lines.length;
  if (result.total === null) return 'total: none, no line has an amount';
  if (left === 0) return `total ${result.total}`;
  return `total ${result.total}, the sum of ${all - left} of the ${all} lines (${left} with no amount)`;
}
