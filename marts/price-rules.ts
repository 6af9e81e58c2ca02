/**
 * How a claim line's modifiers and the code's indicators change the fee schedule amount. The
 * wording shown to people is the code table's (indicator_code.label); the percentages live here
 * because the code tables state only some of them. Where a figure is not in the code table's
 * definition, its CMS source is named.
 */

/** A percentage of the fee schedule amount, or no amount (with why). */
export type RuleEffect = { percent: number } | { noAmount: true };

export interface PaymentRule {
  /** The indicator system (code table) that decides the rule. */
  system: string;
  /** The modifiers that call for it. */
  modifiers: readonly string[];
  /** Effect per indicator value; a value not listed means the modifier is not payable with it. */
  effects: Readonly<Record<string, RuleEffect>>;
  /** Where the figures come from. */
  authority: string;
}

/** Bilateral surgery, modifier 50 (percentages stated in each value's definition). */
export const BILATERAL: PaymentRule = {
  system: 'pfs_bilateral_surgery',
  modifiers: ['50'],
  effects: {
    // "150% payment adjustment for bilateral procedures applies."
    '1': { percent: 150 },
    // 0 and 2: "100% of the fee schedule amount for a single code".
    '0': { percent: 100 },
    '2': { percent: 100 },
    // 3: "100% of the fee schedule amount for each side".
    '3': { percent: 200 },
    '9': { percent: 100 },
  },
  authority: 'CMS PFS relative value file record layout, BILAT SURG definitions',
};

/**
 * Co-surgeons, modifier 62: each surgeon is paid 62.5 % of the fee schedule amount (Medicare
 * Claims Processing Manual, Pub. 100-04, Chapter 12, §40.8.B). Indicator 0 and 9: not permitted.
 */
export const CO_SURGEONS: PaymentRule = {
  system: 'pfs_co_surgeons',
  modifiers: ['62'],
  effects: { '1': { percent: 62.5 }, '2': { percent: 62.5 } },
  authority: 'Medicare Claims Processing Manual, Pub. 100-04, Chapter 12, §40.8',
};

/**
 * Assistant at surgery, modifiers 80, 81, 82: 16 % of the fee schedule amount (Pub. 100-04,
 * Chapter 12, §20.4.3). Modifier AS (a physician assistant, nurse practitioner or clinical nurse
 * specialist assisting) is paid 85 % of that, 13.6 % (Chapter 12, §110.2 and §120.1).
 * Indicator 1 is the statutory restriction: no payment; 9: the concept does not apply.
 */
export const ASSISTANT: PaymentRule = {
  system: 'pfs_assistant_surgery',
  modifiers: ['80', '81', '82'],
  effects: { '0': { percent: 16 }, '2': { percent: 16 } },
  authority: 'Medicare Claims Processing Manual, Pub. 100-04, Chapter 12, §20.4.3',
};

export const NON_PHYSICIAN_ASSISTANT: PaymentRule = {
  system: 'pfs_assistant_surgery',
  modifiers: ['AS'],
  effects: { '0': { percent: 13.6 }, '2': { percent: 13.6 } },
  authority:
    'Medicare Claims Processing Manual, Pub. 100-04, Chapter 12, §110.2 and §120.1 (85 % of 16 %)',
};

/** Team surgery, modifier 66: "pay by report", so no amount from the fee schedule. */
export const TEAM: PaymentRule = {
  system: 'pfs_team_surgery',
  modifiers: ['66'],
  effects: { '1': { noAmount: true }, '2': { noAmount: true } },
  authority: 'CMS PFS relative value file record layout, TEAM SURG definitions ("pay by report")',
};

export const LINE_RULES: readonly PaymentRule[] = [
  BILATERAL,
  CO_SURGEONS,
  ASSISTANT,
  NON_PHYSICIAN_ASSISTANT,
  TEAM,
];

/**
 * Multiple procedures on one claim (modifier 51 on the lines after the first): lines whose
 * indicator is 1, 2 or 3 are ranked by fee schedule amount and paid these percentages by rank
 * (from the definitions: 2 "100%, 50%, 50%, 50%, 50% and by report"; 1 "100%, 50%, 25%, 25%,
 * 25%, and by report"). Indicator 3's endoscopic family rules and the imaging and therapy
 * reductions (4–7) need more than the fee schedule gives: they are named, not applied.
 */
export const MULTIPLE_PROCEDURE_RANKS: Readonly<Record<string, readonly number[]>> = {
  '1': [100, 50, 25, 25, 25],
  '2': [100, 50, 50, 50, 50],
  '3': [100, 50, 50, 50, 50],
};
export const MULTIPLE_PROCEDURE_SYSTEM = 'pfs_multiple_procedure';

/** Modifiers that choose the RVU row rather than adjust the amount. */
export const ROW_MODIFIERS: readonly string[] = ['26', 'TC', '53'];

/** Every modifier `price` understands. */
export const KNOWN_MODIFIERS: readonly string[] = [
  ...ROW_MODIFIERS,
  '51',
  ...LINE_RULES.flatMap((r) => r.modifiers),
];
