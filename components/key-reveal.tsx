"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/lib/format";

/** Shows a new API key once, with Copy. The key lives only in this component's props. */
export function KeyReveal({ plaintext, start, expiresAt, note }: { plaintext: string; start: string; expiresAt: string | null; note?: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(plaintext);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <section aria-labelledby="new-key-heading" className="space-y-3 rounded-lg border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
      <h2 id="new-key-heading" className="font-semibold text-emerald-900 dark:text-emerald-200">
        Your new API key
      </h2>
      <p className="text-sm text-emerald-900 dark:text-emerald-200">
        Copy it now and keep it somewhere safe. This is the only time Portico shows it: we store only a fingerprint.
      </p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <label htmlFor="new-key" className="sr-only">
          API key
        </label>
        <input
          id="new-key"
          data-testid="revealed-key"
          readOnly
          value={plaintext}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm dark:border-emerald-700 dark:bg-zinc-900"
          autoComplete="off"
          spellCheck={false}
        />
        <Button type="button" onClick={copy}>
          Copy
        </Button>
      </div>
      <p aria-live="polite" className="text-sm">
        {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "Could not copy: select the key and copy it by hand." : ""}
      </p>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Key {start}… · {expiresAt ? `expires ${formatDateTime(new Date(expiresAt))}` : "never expires"}
        {note ? ` · ${note}` : ""}
      </p>
    </section>
  );
}
