/**
 * Control characters (C0 but tab and newline, DEL, C1) a file or page may hold: written raw, ESC
 * and BEL sequences would drive the terminal (move the cursor, retitle it, hide text).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, '0');
}

/** Text for the terminal: each control character shown as \xHH (ESC as \x1b). */
export function terminalText(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${hex(c, 2)}`);
}

/**
 * JSON for the terminal: the control characters JSON.stringify leaves raw (DEL, C1) written as
 * \u escapes, so the text stays JSON that parses to the same values.
 */
export function terminalJson(json: string): string {
  return json.replace(CONTROL, (c) => `\\u${hex(c, 4)}`);
}
