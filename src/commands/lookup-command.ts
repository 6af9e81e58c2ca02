import type { Command } from 'commander';
import type { Catalog } from '../catalog.js';
import { openFeeSchedule } from '../db/fee-schedule.js';
import { formatCard, lookupCode } from '../query/lookup.js';
import { noCardReason } from '../query/no-card-reason.js';
import { terminalText } from '../terminal-text.js';
import { EXIT } from './errors.js';
import { writeJson } from './json-output.js';
import { checkDate, defaultOutDir, publishedDatabase } from './options.js';

interface LookupOptions {
  modifier?: string;
  asOf?: string;
  json?: boolean;
  out: string;
}

export function registerLookup(program: Command, catalog: Catalog): void {
  program
    .command('lookup')
    .description('print the decoded card of a HCPCS/CPT code from every loaded source')
    .argument('<hcpcs>', 'the code, e.g. 38211')
    .option('--modifier <m>', 'modifier (26, TC, 53); default: every row of the code')
    .option('--as-of <date>', 'the card as of this day (YYYY-MM-DD); default: the newest release')
    .option('--json', 'print JSON for programs')
    .option('--out <dir>', 'output folder holding fee_schedule.duckdb', defaultOutDir())
    .action(async (hcpcs: string, options: LookupOptions) => {
      checkDate('--as-of', options.asOf);
      const schedule = await openFeeSchedule(publishedDatabase(options.out));
      try {
        const cards = await lookupCode(schedule, catalog.card, hcpcs, {
          ...(options.modifier ? { modifier: options.modifier } : {}),
          ...(options.asOf ? { asOf: options.asOf } : {}),
        });
        if (options.json) {
          writeJson(cards);
        } else if (cards.length === 0) {
          const reason = await noCardReason(schedule, hcpcs, options.asOf);
          process.stdout.write(terminalText(`${hcpcs}: ${reason}\n`));
        } else {
          process.stdout.write(
            terminalText(`${cards.map((c) => formatCard(c, catalog.card)).join('\n\n')}\n`),
          );
        }
        if (cards.length === 0) process.exitCode = EXIT.blocked;
      } finally {
        await schedule.close();
      }
    });
}
