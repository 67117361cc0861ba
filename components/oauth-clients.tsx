import { Link } from "@/components/ui/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { env } from "@/lib/env";
import { formatDateTime } from "@/lib/format";
import { maxGraceOf } from "@/lib/keys/roll-grace";
import { oauthEndpoints } from "@/lib/oauth/endpoints";
import { type ClientState, clientState, clientsOfApp } from "@/lib/oauth/queries";
import { OAuthClientControls } from "./oauth-client-controls";

export const CLIENT_STATE_LABEL: Record<ClientState, string> = { active: "Active", not_yet: "Not yet valid", expired: "Expired", ended: "Ended" };
export const CLIENT_STATE_TONE: Record<ClientState, BadgeTone> = { active: "green", not_yet: "sky", expired: "amber", ended: "neutral" };

/** An app's OAuth 2.0 clients (issue 19): the archive, with roll, public key, check-in and revoke for working ones. */
export async function OAuthClients({ appId, userId }: { appId: string; userId: string }) {
  const clients = await clientsOfApp(db, userId, appId);
  if (clients.length === 0) return null;
  const now = new Date();
  const tokenUrl = oauthEndpoints(env.baseUrl).tokenEndpoint;
  return (
    <section aria-labelledby="oauth-clients-title" data-testid="oauth-clients">
      <h2 id="oauth-clients-title" className="mb-1 text-lg font-semibold">
        OAuth 2.0 clients
      </h2>
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        Get access tokens at <code className="break-all">{tokenUrl}</code> with grant_type=client_credentials. Tokens last 10 minutes unless the plan says otherwise.
      </p>
      <Table caption="Every OAuth client of this app, newest first" columns={[{ label: "Client" }, { label: "Authentication" }, { label: "Valid" }, { label: "Status" }]}>
        {clients.map((c) => {
          const state = clientState(c, now);
          return (
            <tr key={c.id} data-testid="oauth-client">
              <td className="py-2 pr-4 align-top">
                <Link href={`/requests/${c.requestId}`} className="font-mono break-all text-indigo-700 hover:underline dark:text-indigo-400">
                  {c.clientId}
                </Link>
                <p className="text-xs text-zinc-600 dark:text-zinc-400">
                  {c.planName.name} · {c.lastUsedAt ? `last used ${formatDateTime(c.lastUsedAt)}` : "never used"}
                </p>
                {state === "active" ? (
                  <OAuthClientControls id={c.id} appId={appId} clientId={c.clientId} usesSecret={c.authMethod === "client_secret"} maxGraceHours={maxGraceOf(c.planName)} />
                ) : null}
              </td>
              <td className="py-2 pr-4 align-top">
                {c.authMethod === "client_secret" ? `Secret ${c.secretStart ?? ""}…` : "Public key (private_key_jwt)"}
                {c.previousSecretEndsAt && c.previousSecretEndsAt > now ? (
                  <p className="text-xs text-zinc-600 dark:text-zinc-400">Old secret works until {formatDateTime(c.previousSecretEndsAt)}</p>
                ) : null}
              </td>
              <td className="py-2 pr-4 align-top">
                {formatDateTime(c.validFrom)} – {c.expiresAt ? formatDateTime(c.expiresAt) : "no end"}
              </td>
              <td className="py-2 align-top">
                <Badge tone={CLIENT_STATE_TONE[state]}>{CLIENT_STATE_LABEL[state]}</Badge>
                {c.endReason ? <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">{c.endReason === "checked_in" ? "Checked in" : c.endReason === "revoked" ? "Revoked" : c.endReason}{c.endsAt ? ` ${formatDateTime(c.endsAt)}` : ""}</p> : null}
              </td>
            </tr>
          );
        })}
      </Table>
    </section>
  );
}
