import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { undeliveredMessages } from "@/lib/mail/email-admin";
import { formatDateTime } from "@/lib/format";
import { expiredReason } from "@/lib/mail/useful-life";
import { RetryButton } from "./retry-button";

export const metadata: Metadata = { title: "Email delivery" };

export default async function EmailDeliveryPage() {
  await requireRole(["admin"], "/admin/emails");
  const messages = await undeliveredMessages(db);
  return (
    <>
      <PageHeader
        title="Email delivery"
        description="Messages that are waiting, failed or were not sent. Failed sends retry on their own, sooner for short-lived mail such as sign-in links; retry one now if the provider is back. A message that outlived its use (its link expired) is not sent."
      />
      {messages.length === 0 ? (
        <EmptyState title="Everything was delivered">Queued and failed messages show up here.</EmptyState>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full min-w-[44rem] text-left text-sm">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:text-zinc-400 dark:border-zinc-800">
              <tr>
                <th className="px-3 py-2">Status</th>
                <th className="px-3 py-2">To</th>
                <th className="px-3 py-2">Subject</th>
                <th className="px-3 py-2">Attempts</th>
                <th className="px-3 py-2">Last error</th>
                <th className="px-3 py-2">Queued</th>
                <th className="px-3 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {messages.map((m) => (
                <tr key={m.id}>
                  <td className="px-3 py-2">
                    <Badge tone={m.status === "failed" ? "red" : m.status === "expired" ? "neutral" : "amber"}>
                      {m.status === "expired" ? "not sent" : m.status}
                    </Badge>
                    {m.status === "expired" ? (
                      <p className="mt-1 max-w-xs text-xs text-zinc-600 dark:text-zinc-400">{expiredReason(m.template)}</p>
                    ) : m.status === "queued" && m.nextAttemptAt && m.attempts > 0 ? (
                      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">Next attempt {formatDateTime(m.nextAttemptAt)}</p>
                    ) : null}
                  </td>
                  <td className="px-3 py-2">{m.to}</td>
                  <td className="px-3 py-2">{m.subject}</td>
                  <td className="px-3 py-2">{m.attempts}</td>
                  <td className="max-w-xs break-words px-3 py-2 text-red-700 dark:text-red-400">{m.lastError ?? ""}</td>
                  <td className="whitespace-nowrap px-3 py-2">{formatDateTime(m.createdAt)}</td>
                  <td className="px-3 py-2">{m.status === "queued" || m.status === "failed" ? <RetryButton messageId={m.id} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
