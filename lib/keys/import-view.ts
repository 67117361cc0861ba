import { stringify } from "csv-stringify/sync";
import { spreadsheetSafe } from "@/lib/audit/csv";
import { formatDateTime } from "@/lib/format";
import type { ImportReport, RefusedRow } from "./import-keys";

/** How many rows of each kind the page lists; the downloadable report holds every refusal. */
const SHOWN_IMPORTED = 200;
const SHOWN_REFUSED = 500;

/** What the import page shows of a report: plain strings, no keys or hashes. */
export type ImportView = {
  dryRun: boolean;
  fileName: string;
  rows: number;
  importedCount: number;
  refusedCount: number;
  newConsumers: number;
  newApps: number;
  imported: { row: number; app: string; consumer: string; products: string; plan: string; start: string; expires: string; created: string }[];
  refused: RefusedRow[];
  /** Every refused row as CSV (row, app, consumer_email, reason), for the "Download refusals" link. */
  refusalsCsv: string;
};

export function importView(report: ImportReport): ImportView {
  return {
    dryRun: report.dryRun,
    fileName: report.fileName,
    rows: report.rows,
    importedCount: report.imported.length,
    refusedCount: report.refused.length,
    newConsumers: report.newConsumers,
    newApps: report.newApps,
    imported: report.imported.slice(0, SHOWN_IMPORTED).map((r) => ({
      row: r.row,
      app: r.app,
      consumer: r.consumerEmail,
      products: r.products.join(", "),
      plan: r.plan,
      start: r.start,
      expires: r.expiresAt ? formatDateTime(r.expiresAt) : "Never",
      created: [r.newConsumer ? "new consumer" : null, r.newApp ? "new app" : null].filter(Boolean).join(", ") || "existing app",
    })),
    refused: report.refused.slice(0, SHOWN_REFUSED),
    refusalsCsv: stringify(report.refused.map((r) => [r.row, r.app, r.consumerEmail, r.reason]), {
      header: true,
      columns: ["row", "app", "consumer_email", "reason"],
      // App names and emails come from the uploaded file: "=HYPERLINK(…)" must not run when opened.
      cast: { string: spreadsheetSafe },
    }),
  };
}
