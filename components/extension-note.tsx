import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { formatDateTime } from "@/lib/format";

/** What the approval queue and its panel know about an extension (lib/admin/queue-query.ts extensionFacts). */
export type ExtensionFacts = { extendsRequestId: string; currentExpiry: string | null; newExpiry: string | null };

/**
 * "Extension" and what approving it changes: the key of the access it extends expires now at …,
 * and at … if approved now. A completed extension says "Extended".
 */
export function ExtensionNote({ extension, status, className }: { extension: ExtensionFacts | null; status: string; className?: string }) {
  if (!extension) return null;
  const current = extension.currentExpiry ? formatDateTime(new Date(extension.currentExpiry)) : null;
  const next = extension.newExpiry ? formatDateTime(new Date(extension.newExpiry)) : null;
  return (
    <div className={cn("space-y-1", className)} data-testid="extension-note">
      <Badge tone="indigo" data-testid="extension-badge">
        {status === "completed" ? "Extension · extended" : "Extension"}
      </Badge>
      {status === "pending" ? (
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          {current ? `Expires ${current}` : "The access no longer works: approving extends nothing."}
          {current && next ? (
            <>
              <br />
              {`→ ${next} if approved now`}
            </>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
