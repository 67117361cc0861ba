"use client";

import { Link } from "@/components/ui/link";
import { useId, useMemo } from "react";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { useActionToast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import { Table } from "@/components/ui/table";
import { importKeysAction } from "./actions";

/** Upload → Dry run (default) → "Import N keys" (stepped up). The chosen file stays selected between the two. */
export function ImportForm() {
  const { state, pending, onSubmit } = useStepUpAction(importKeysAction);
  // A dry run or an import done: a toast too, besides the report below the form.
  useActionToast(state);
  const id = useId();
  const report = state?.report;
  const refusalsHref = useMemo(
    () => (report && report.refusedCount > 0 ? `data:text/csv;charset=utf-8,${encodeURIComponent(report.refusalsCsv)}` : null),
    [report],
  );
  return (
    <div className="min-w-0 space-y-6">
      <form onSubmit={onSubmit} className="space-y-3" aria-describedby={`${id}-hint`}>
        <div>
          <label htmlFor={`${id}-file`} className="block text-sm font-medium">
            CSV file
          </label>
          <input
            id={`${id}-file`}
            name="file"
            type="file"
            accept=".csv,text/csv"
            required
            aria-invalid={state?.fieldErrors?.file ? true : undefined}
            className="mt-1 block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-zinc-100 file:px-3 file:py-2 file:text-sm file:font-medium dark:file:bg-zinc-800"
          />
          <p id={`${id}-hint`} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            Start with a dry run: it shows what would be created and what is refused, and writes nothing.
          </p>
          {state?.fieldErrors?.file ? <p className="mt-1 text-sm text-red-600 dark:text-red-400">{state.fieldErrors.file}</p> : null}
        </div>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" name="mode" value="dry-run" variant={report?.dryRun && report.importedCount > 0 ? "secondary" : "primary"} disabled={pending}>
            {pending ? "Checking…" : "Dry run"}
          </Button>
          {report?.dryRun && report.importedCount > 0 ? (
            <Button type="submit" name="mode" value="import" disabled={pending}>
              Import {report.importedCount.toLocaleString("en")} {report.importedCount === 1 ? "key" : "keys"}
            </Button>
          ) : null}
        </div>
      </form>
      {state && !state.ok && !state.fieldErrors?.file ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {state.message}
        </p>
      ) : null}
      {state?.ok && report ? (
        <div className="space-y-6">
          <p role="status" className={`rounded-lg border p-4 text-sm ${report.dryRun ? "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950" : "border-emerald-300 bg-emerald-50 dark:border-emerald-800 dark:bg-emerald-950"}`}>
            {state.message}{" "}
            {report.newConsumers > 0 || report.newApps > 0
              ? `${report.dryRun ? "It would create" : "Created"} ${report.newConsumers} new ${report.newConsumers === 1 ? "consumer" : "consumers"} and ${report.newApps} new ${report.newApps === 1 ? "app" : "apps"}.`
              : null}
            {!report.dryRun ? (
              <>
                {" "}
                <Link href="/admin/keys" className="text-indigo-600 dark:text-indigo-400 underline">
                  See the keys
                </Link>
              </>
            ) : null}
          </p>
          {report.refusedCount > 0 ? (
            <section aria-labelledby={`${id}-refused`} className="space-y-2">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id={`${id}-refused`} className="text-lg font-semibold">
                  Refused rows ({report.refusedCount.toLocaleString("en")})
                </h2>
                {refusalsHref ? (
                  <a href={refusalsHref} download={`refused-${report.fileName.replace(/[^\w.-]/g, "_")}`} className="text-sm text-indigo-600 dark:text-indigo-400 underline">
                    Download the refused rows (CSV)
                  </a>
                ) : null}
              </div>
              <Table caption="Rows that are not imported, and what to fix" columns={[{ label: "Row" }, { label: "App" }, { label: "Consumer" }, { label: "What to fix" }]}>
                {report.refused.map((r) => (
                  <tr key={r.row} data-testid="refused-row" className="border-b border-zinc-100 dark:border-zinc-800">
                    <td className="py-2 pr-4 align-top font-mono">{r.row}</td>
                    <td className="py-2 pr-4 align-top">{r.app}</td>
                    <td className="py-2 pr-4 align-top">{r.consumerEmail}</td>
                    <td className="py-2 align-top">{r.reason}</td>
                  </tr>
                ))}
              </Table>
              {report.refused.length < report.refusedCount ? (
                <p className="text-xs text-zinc-500 dark:text-zinc-400">The first {report.refused.length.toLocaleString("en")} are listed; the download has them all.</p>
              ) : null}
            </section>
          ) : null}
          {report.importedCount > 0 ? (
            <section aria-labelledby={`${id}-imported`} className="space-y-2">
              <h2 id={`${id}-imported`} className="text-lg font-semibold">
                {report.dryRun ? "Would be imported" : "Imported"} ({report.importedCount.toLocaleString("en")})
              </h2>
              <Table caption={report.dryRun ? "Rows that would be imported" : "Rows imported"} columns={[{ label: "Row" }, { label: "App and consumer" }, { label: "Access" }, { label: "Key" }]}>
                {report.imported.map((r) => (
                  <tr key={r.row} data-testid="imported-row" className="border-b border-zinc-100 dark:border-zinc-800">
                    <td className="py-2 pr-4 align-top font-mono">{r.row}</td>
                    <td className="py-2 pr-4 align-top">
                      {r.app} <span className="text-xs text-zinc-500 dark:text-zinc-400">({r.created})</span>
                      <p className="text-xs text-zinc-500 dark:text-zinc-400">{r.consumer}</p>
                    </td>
                    <td className="py-2 pr-4 align-top">
                      {r.products}
                      <p className="text-xs text-zinc-500 dark:text-zinc-400">{r.plan}</p>
                    </td>
                    <td className="py-2 align-top">
                      <span className="font-mono">{r.start}…</span>
                      <p className="text-xs text-zinc-500 dark:text-zinc-400">Expires: {r.expires}</p>
                    </td>
                  </tr>
                ))}
              </Table>
              {report.imported.length < report.importedCount ? (
                <p className="text-xs text-zinc-500 dark:text-zinc-400">The first {report.imported.length.toLocaleString("en")} rows are listed.</p>
              ) : null}
            </section>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
