import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";

type Health = { enabled: boolean; disabledReason: string | null; failingSince: Date | null };

/** Enabled / Disabled, with why it is disabled and what to do (the list and the endpoint's page). */
export function EndpointStatus({ endpoint }: { endpoint: Health }) {
  if (endpoint.enabled) {
    return (
      <span className="space-y-1">
        <Badge tone="green" data-testid="endpoint-state">
          Enabled
        </Badge>
        {endpoint.failingSince ? (
          <span className="block text-xs text-amber-800 dark:text-amber-300">Failing since {formatDateTime(endpoint.failingSince)}</span>
        ) : null}
      </span>
    );
  }
  return (
    <span className="space-y-1">
      <Badge tone={endpoint.disabledReason === "failing" ? "red" : "neutral"} data-testid="endpoint-state">
        Disabled
      </Badge>
      <span className="block text-xs text-zinc-600 dark:text-zinc-400" data-testid="disabled-reason">
        {disabledReasonText(endpoint.disabledReason)}
      </span>
    </span>
  );
}

export function disabledReasonText(reason: string | null) {
  return reason === "failing" ? "Disabled after 5 days of failures — fix the receiver, enable, then Recover." : "Disabled by an admin.";
}

/** "204", "500", "timeout" — what the newest attempt got. */
export function attemptOutcome(a: { statusCode: number | null; succeeded: boolean; error: string | null }) {
  if (a.statusCode !== null) return `HTTP ${a.statusCode}`;
  return a.error ?? (a.succeeded ? "Succeeded" : "No answer");
}
