import { partWords, type PartState } from "@/lib/requests/part-words";
import type { RequestStatus } from "@/db/schema";
import { EmailText } from "./email-text";

/**
 * A request's products and where each stands: "Payments API: approved by Omar · Weather API:
 * waiting for its owner". One list for the approval queue, its detail panel and the requester's page.
 */
export function RequestParts({ parts, status, className }: { parts: readonly PartState[]; status: RequestStatus; className?: string }) {
  return (
    <ul aria-label="Products and their approvals" className={`flex flex-wrap gap-x-2 gap-y-1 ${className ?? ""}`} data-testid="request-parts">
      {parts.map((p, i) => {
        const line = partWords(p, status);
        return (
          <li key={p.productId} className="break-words">
            {i > 0 ? (
              <span aria-hidden="true" className="mr-2 text-zinc-400">
                ·
              </span>
            ) : null}
            <bdi className="font-medium">{p.productName}</bdi>
            {line ? (
              <span className={p.revokedById ? "text-red-700 dark:text-red-400" : line.words.startsWith("waiting") ? "text-amber-700 dark:text-amber-400" : "text-zinc-600 dark:text-zinc-400"}>
                : {line.words}
                {line.actor === null ? null : (
                  <>
                    {" "}
                    <EmailText text={line.actor} />
                  </>
                )}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
