import type { CodeCardView } from '../db/schema.js';

/** A column of the code_card view. */
export type CardColumn = keyof CodeCardView & string;

/** A field a source puts on the code card: its code_card column and what decodes it. */
export interface SourceCardField {
  column: CardColumn;
  /** Code table decoding the value (its indicator_system.name is the field's name). */
  system?: string;
  /** Name for fields no code table decodes. */
  name?: string;
  /**
   * code_card column naming the source the value came from, for a field more than one source
   * gives (one file for its own codes, another for the rest); NULL there: no source had a
   * release in force.
   */
  sourceColumn?: CardColumn;
}

/** What a source contributes to the code card, declared in its pipeline folder. */
export interface SourceCard {
  /** code_card column naming the release of the source consulted. */
  releaseColumn: CardColumn;
  fields: readonly SourceCardField[];
}

/** One field of the code card: a code_card column, the source it comes from and its code table. */
export interface CardField extends SourceCardField {
  source: string;
  /** code_card column naming the release of `source` consulted. */
  releaseColumn: CardColumn;
}

/** The code card as `lookup` shows it: its fields in order, and the row it is built around. */
export interface CodeCardDefinition {
  fields: readonly CardField[];
  /** The fee-schedule row of the card: its numbers, and the file and line it was read from. */
  row: {
    /** How the card names the row in its text. */
    label: string;
    numbers: readonly CardColumn[];
    file: CardColumn;
    line: CardColumn;
  };
}

/** The fields of the card, source by source in the order given, each with its source. */
export function cardFields(
  sources: readonly { source: string; card?: SourceCard }[],
): readonly CardField[] {
  return sources.flatMap(({ source, card }) =>
    card ? card.fields.map((f) => ({ ...f, source, releaseColumn: card.releaseColumn })) : [],
  );
}
