import { stringify } from "csv-stringify/sync";

/**
 * A cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel, LibreOffice and
 * Google Sheets; a leading apostrophe makes it plain text there (OWASP "CSV injection").
 */
export function spreadsheetSafe(value: string) {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** CSV lines for the audit export: quoted as RFC 4180 needs, and safe to open in a spreadsheet. */
export function toCsv(rows: (string | number)[][]) {
  return stringify(rows, { cast: { string: spreadsheetSafe } });
}
