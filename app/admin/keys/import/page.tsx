import type { Metadata } from "next";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { PageHeader } from "@/components/ui/page-header";
import { requireRole } from "@/lib/auth/guards";
import { IMPORT_COLUMNS, IMPORT_EXAMPLE_CSV, IMPORT_MAX_ROWS } from "@/lib/keys/import-keys";
import { ImportForm } from "./import-form";

export const metadata: Metadata = { title: "Import keys" };

const COLUMN_HELP: Record<(typeof IMPORT_COLUMNS)[number], string> = {
  app: "The app's name. The consumer's app of that name is used, or created.",
  consumer_email: "The consumer's email address. An unknown address becomes a new consumer (no email is sent; they sign in with it).",
  products: "Product slugs, separated by “;” or “|”. Each must offer the plan; archived and OAuth products are refused.",
  plan: "The plan's name, as Admin → Plans shows it. Its limits are copied onto the access, as for a request.",
  key: "The key itself. It is hashed (SHA-256) as it arrives and never stored. Fill key or key_sha256, not both.",
  key_sha256: "Or the key's SHA-256, as 64 hex characters, when you do not have the key itself.",
  expires_at: "When the key stops working: an ISO 8601 date (2027-12-31, from 00:00 UTC) or date-time (2027-12-31T12:00:00Z). Empty: never.",
};

export default async function ImportKeysPage() {
  await requireRole(["admin"], "/admin/keys/import");
  return (
    <>
      <Breadcrumb parent={{ href: "/admin/keys", label: "Keys" }} current="Import" />
      <PageHeader
        title="Import keys"
        description="Bring keys made by another portal or gateway into Portico: each row becomes an app's access to products on a plan, with a key that verifies like one Portico issued."
      />
      <div className="grid gap-10 xl:grid-cols-[1fr_24rem]">
        <ImportForm />
        <section aria-labelledby="format-title" className="space-y-3 text-sm">
          <h2 id="format-title" className="text-lg font-semibold">
            File format
          </h2>
          <p className="text-zinc-600 dark:text-zinc-400">
            A CSV file (UTF-8, comma-separated, with a header row) of at most 5 MB and {IMPORT_MAX_ROWS.toLocaleString("en")} rows. Columns:
          </p>
          <dl className="space-y-2">
            {IMPORT_COLUMNS.map((c) => (
              <div key={c}>
                <dt className="font-mono font-medium">{c}</dt>
                <dd className="text-zinc-600 dark:text-zinc-400">{COLUMN_HELP[c]}</dd>
              </div>
            ))}
          </dl>
          <p>
            <a href="/admin/keys/import/example" download className="text-indigo-600 dark:text-indigo-400 underline">
              Download an example file
            </a>
          </p>
          <pre className="whitespace-pre-wrap break-all rounded-md bg-zinc-100 p-3 text-xs dark:bg-zinc-900">{IMPORT_EXAMPLE_CSV}</pre>
          <p className="text-zinc-600 dark:text-zinc-400">
            A dry run checks every row and writes nothing. Import then writes every valid row at once; refused rows are skipped and listed with the
            reason, and you can download them to fix and import again.
          </p>
        </section>
      </div>
    </>
  );
}
