/** Postgres text cannot hold NUL; refuse it with a message instead of failing the insert. */
export const noNul = (s: string | undefined) => s === undefined || !s.includes("\u0000");
export const NUL_MESSAGE = "Remove the invisible control characters.";

// C0 and C1 controls (CR, LF, NUL, ESC, DEL, NEL…) and the Unicode line and paragraph separators.
// A name or subject travels into email headers, logs and CSV exports: one of these there splits a
// header line or forges a log line. A lone UTF-16 surrogate would be silently replaced on the way in.
const lineBreaking = /[\p{Cc}\u2028\u2029]/u;
const controlExceptLineBreaks = /[^\P{Cc}\n\r\t]/u;
// Older browsers lack isWellFormed; the server always has it and checks again.
const wellFormed = (s: string) => s.isWellFormed?.() ?? true;

/** One line of plain text: no control characters at all. For names and email subjects. */
export const isSingleLine = (s: string) => wellFormed(s) && !lineBreaking.test(s);
/** Plain text that may span lines (descriptions): tabs and line breaks only. */
export const isPlainText = (s: string) => wellFormed(s) && !controlExceptLineBreaks.test(s);

export const SINGLE_LINE_MESSAGE = "Use one line of letters, numbers, spaces and punctuation (no line breaks or invisible control characters).";

/**
 * The shared zod refinement for every name entered anywhere (apps, products, plans, email
 * subjects): `z.string().refine(...singleLine())`, with the field's own message when it has one.
 */
export const singleLine = (message = SINGLE_LINE_MESSAGE) => [isSingleLine, message] as const;
export const plainText = (message = "Use plain text only.") => [isPlainText, message] as const;
