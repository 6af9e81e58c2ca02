/** The rules by which a fetched or saved page is refused as not being a code page. */
export const REFUSAL_RULES = {
  'error-page': 'the page is an error page (its title or heading says so)',
  'view-quota': 'the site shows a view-quota banner instead of the code (free views used up)',
  'login-wall': 'the page asks to log in and shows no code fields',
  'no-fields': 'no recognised label/value pairs on the page',
  'no-code': 'the page does not name a HCPCS/CPT code',
  'code-mismatch': 'the page describes another code than the one asked for',
  'too-deep': 'the page nests its elements deeper than any code page does',
} as const;

export type RefusalRule = keyof typeof REFUSAL_RULES;

/** A page that is not a code page: names the file or URL, the rule and what was seen. */
export class CodePageRefusedError extends Error {
  constructor(
    /** File path or URL of the page. */
    readonly page: string,
    readonly rule: RefusalRule,
    readonly detail: string,
  ) {
    super(`${page}: refused, not a code page (${rule}: ${REFUSAL_RULES[rule]}): ${detail}`);
    this.name = 'CodePageRefusedError';
  }
}
