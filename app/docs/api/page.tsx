import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { ApiReference } from "@/components/api-reference/api-reference";

export const metadata: Metadata = {
  title: "Portal API reference",
  description: "The REST API at /api/v1 for automating Portico: products, access requests, keys, users and the audit log.",
};

// Rendered per request so that its scripts carry the request's CSP nonce (proxy.ts); a statically
// rendered page would have its inline scripts refused by the nonce policy.
export const dynamic = "force-dynamic";

/** The portal's own REST API, rendered from the OpenAPI document the API serves (lib/api/document.ts). */
export default function ApiDocsPage() {
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-3xl font-semibold tracking-tight">Portal API reference</h1>
        <p className="max-w-3xl text-zinc-600 dark:text-zinc-400">
          Automate Portico from other applications: approve or deny access requests, publish products, revoke keys and read the
          audit log. Calls send an API access key as <code>Authorization: Bearer &lt;token&gt;</code>; an admin creates one under
          Admin → API access keys and sees it only once. The document below is also served as{" "}
          <Link className="underline underline-offset-2" href="/api/v1/openapi.json" prefetch={false}>
            /api/v1/openapi.json
          </Link>{" "}
          (OpenAPI 3.1), for code generators.
        </p>
      </header>
      <ApiReference url="/api/v1/openapi.json" />
    </div>
  );
}
