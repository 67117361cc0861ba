"use server";

import { env } from "@/lib/env";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import type { ActionResult } from "@/lib/actions/action-result";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { IMPORT_MAX_BYTES, importKeys } from "@/lib/keys/import-keys";
import { type ImportView, importView } from "@/lib/keys/import-view";

export type ImportActionResult = ActionResult & { report?: ImportView };

const TOO_BIG = `The file is over ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Split it into smaller files and import each.`;

const importSchema = z.object({
  csv: z.string({ error: "Choose a CSV file to import." }).min(1, "Choose a CSV file to import.").max(IMPORT_MAX_BYTES, TOO_BIG),
  fileName: z.string().trim().max(255).catch("keys.csv"),
});

const run = (dryRun: boolean) =>
  validatedActionWithUser(
    importSchema,
    async ({ csv, fileName }, actor) => {
      const report = await importKeys(db, actor, { csv, fileName, dryRun }, { prefix: env.keyPrefix });
      if (!dryRun) {
        revalidatePath("/admin/keys");
        revalidatePath("/admin");
      }
      const n = report.imported.length;
      const refused = report.refused.length;
      const answer: ImportActionResult = {
        ok: true,
        message: dryRun
          ? `Dry run: ${n.toLocaleString("en")} ${n === 1 ? "key" : "keys"} would be imported, ${refused.toLocaleString("en")} ${refused === 1 ? "row is" : "rows are"} refused. Nothing was written yet.`
          : `Imported ${n.toLocaleString("en")} ${n === 1 ? "key" : "keys"}; ${refused.toLocaleString("en")} ${refused === 1 ? "row was" : "rows were"} refused and skipped.`,
        report: importView(report),
      };
      return answer;
    },
    // The real import creates consumers, access and working keys: privileged (second factor).
    { roles: ["admin"], stepUp: !dryRun },
  );
const dryRunImport = run(true);
const realImport = run(false);

/**
 * Admin → Keys → Import. The CSV arrives as a file (or, from a script, as a `csv` text field) and is
 * read here into a string field, since the action wrapper reads text fields only. The answer never
 * echoes the file (it holds keys).
 */
export async function importKeysAction(prev: ImportActionResult | null, formData: FormData): Promise<ImportActionResult> {
  const fields = new FormData();
  for (const [name, value] of formData) if (typeof value === "string") fields.append(name, value);
  const file = formData.get("file");
  if (file instanceof File && file.size > 0) {
    if (file.size > IMPORT_MAX_BYTES) return { ok: false, message: TOO_BIG, fieldErrors: { file: TOO_BIG } };
    fields.set("csv", await file.text());
    fields.set("fileName", file.name);
  }
  const action = formData.get("mode") === "import" ? realImport : dryRunImport;
  const { values: _echo, ...answer } = await action(prev, fields);
  if (answer.fieldErrors?.csv) answer.fieldErrors = { ...answer.fieldErrors, file: answer.fieldErrors.csv };
  return answer;
}
