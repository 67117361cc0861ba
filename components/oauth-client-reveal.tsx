"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/lib/format";

export type RevealedClient = { clientId: string; clientSecret: string; tokenUrl: string; expiresAt: string | null; scopes: string[] };

/** The token call, ready to paste: client_secret_basic, as RFC 6749 §2.3.1 recommends. */
export function tokenCurl(c: Pick<RevealedClient, "clientId" | "clientSecret" | "tokenUrl" | "scopes">) {
  const scope = c.scopes.length > 0 ? ` \\\n  -d scope=${encodeURIComponent(c.scopes.join(" "))}` : "";
  return `curl -s -u '${c.clientId}:${c.clientSecret}' \\\n  -d grant_type=client_credentials${scope} \\\n  ${c.tokenUrl}`;
}

/** Shows a new OAuth client's secret once, with its id and the token call. The secret lives only in these props. */
export function OAuthClientReveal({ client }: { client: RevealedClient }) {
  const [copied, setCopied] = useState<string | null>(null);
  const curl = tokenCurl(client);
  async function copy(what: string, value: string) {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(`Copied the ${what} to the clipboard.`);
    } catch {
      setCopied(`Could not copy: select the ${what} and copy it by hand.`);
    }
  }
  const field = "min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm dark:border-emerald-700 dark:bg-zinc-900";
  return (
    <section aria-labelledby="new-client-heading" className="space-y-3 rounded-lg border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
      <h2 id="new-client-heading" className="font-semibold text-emerald-900 dark:text-emerald-200">
        Your new OAuth 2.0 client
      </h2>
      <p className="text-sm text-emerald-900 dark:text-emerald-200">
        Copy the client secret now and keep it somewhere safe. This is the only time Portico shows it: we store only a fingerprint.
      </p>
      {(
        [
          ["client id", "new-client-id", client.clientId],
          ["client secret", "new-client-secret", client.clientSecret],
        ] as const
      ).map(([label, id, value]) => (
        <div key={id} className="space-y-1">
          <label htmlFor={id} className="block text-sm font-medium text-emerald-900 dark:text-emerald-200">
            {label === "client id" ? "Client ID" : "Client secret"}
          </label>
          <div className="flex flex-col gap-2 sm:flex-row">
            <input id={id} data-testid={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} className={field} autoComplete="off" spellCheck={false} />
            <Button type="button" onClick={() => copy(label, value)}>
              Copy<span className="sr-only"> {label}</span>
            </Button>
          </div>
        </div>
      ))}
      <div className="space-y-1">
        <p className="text-sm font-medium text-emerald-900 dark:text-emerald-200">Get an access token</p>
        <pre data-testid="token-curl" tabIndex={0} className="overflow-x-auto rounded-md border border-emerald-300 bg-white p-3 font-mono text-xs text-zinc-900 dark:border-emerald-700 dark:bg-zinc-900 dark:text-zinc-100">
          {curl}
        </pre>
        <Button type="button" variant="secondary" onClick={() => copy("curl command", curl)}>
          Copy the curl command
        </Button>
      </div>
      <p aria-live="polite" className="text-sm">
        {copied ?? ""}
      </p>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Send the access token as <code>Authorization: Bearer …</code>; ask for a new one when it expires. Client{" "}
        {client.expiresAt ? `expires ${formatDateTime(new Date(client.expiresAt))}` : "never expires"}
        {client.scopes.length > 0 ? ` · scopes: ${client.scopes.join(" ")}` : ""}
      </p>
    </section>
  );
}
