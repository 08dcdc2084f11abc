/**
 * CSV files as spreadsheets open them right: UTF-8 with a byte-order mark
 * (names like Élodie), a header row in the viewer's language, and text cells
 * that a spreadsheet would run as a formula (=, +, -, @, and tab or carriage
 * return before them) neutralised with a leading apostrophe. Rows are streamed
 * through csv-stringify as they are read, with the response's back-pressure,
 * so a file of a million rows holds a batch in memory, never the file.
 */
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';

export type CsvCell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralise(cell: CsvCell): CsvCell {
  return typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Sends a CSV file: the header, then every row the source yields. Call after every check has passed (headers go out here). */
export async function sendCsv(res: Response, fileName: string, header: readonly string[], rows: AsyncIterable<readonly CsvCell[]>): Promise<void> {
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  const csv = stringify({ bom: true });
  const sent = pipeline(csv, res);
  const write = async (row: readonly CsvCell[]) => {
    if (!csv.write(row.map(neutralise))) await Promise.race([once(csv, 'drain'), sent]);
  };
  try {
    await write(header);
    for await (const row of rows) {
      // The person went away: stop reading the database for nobody.
      if (res.destroyed) break;
      await write(row);
    }
  } finally {
    csv.end();
  }
  await sent;
}
