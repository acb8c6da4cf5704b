/**
 * CSV as spreadsheets open it (RFC 4180): fields separated by commas, records by CRLF, a field quoted when it
 * holds a quote, a comma, a line break or leading/trailing spaces, quotes inside doubled. Text that a spreadsheet
 * would run as a formula (starting with = + - @, or a tab or carriage return that hides one) is neutralised with a
 * leading apostrophe (OWASP's CSV-injection advice): names and reasons are typed by users. Numbers are written as
 * numbers and never neutralised (a negative figure stays a number). The file starts with a UTF-8 byte order mark,
 * without which Excel reads UTF-8 as the local code page and Arabic names turn into mojibake.
 */
export type CsvValue = string | number | boolean | null | undefined;

export const UTF8_BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`CSV: ${value} is not a number a spreadsheet can hold`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV document: a header and rows of the same width (a row of another width is a bug, not a shorter line). */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [header.map(csvField).join(',')];
  for (const [index, row] of rows.entries()) {
    if (row.length !== header.length) throw new Error(`CSV: row ${index + 1} has ${row.length} fields, the header ${header.length}`);
    lines.push(row.map(csvField).join(','));
  }
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}

/** The bytes of a CSV document as written to disk or downloaded: UTF-8, the BOM included. */
export const csvBytes = (csv: string): Buffer => Buffer.from(csv, 'utf8');
