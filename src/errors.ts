/** Bad input: names the file, the line (when one is to blame) and the rule it broke. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly rule: string,
    readonly detail: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${rule}: ${detail}`);
    this.name = 'InputError';
  }
}

/** A run stopped by blocking checks or rejected rows; its outputs were not published. */
export class BlockedRunError extends Error {
  constructor(
    message: string,
    readonly details: string[],
  ) {
    super(message);
    this.name = 'BlockedRunError';
  }
}
