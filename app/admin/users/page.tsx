import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { requireRole } from "@/lib/auth/guards";
import { formatDate } from "@/lib/format";
import { listUsers } from "@/lib/users/user-admin";
import { DisableForm, ResetAuthenticatorForm, RoleForm } from "./user-controls";

export const metadata: Metadata = { title: "Users" };

const paramsSchema = z.object({
  q: z.string().max(200).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export default async function UsersPage({ searchParams }: PageProps<"/admin/users">) {
  const me = await requireRole(["admin"], "/admin/users");
  const params = paramsSchema.parse(await searchParams);
  const { rows, hasMore } = await listUsers(db, params);
  const pageHref = (p: number) => {
    const s = new URLSearchParams();
    if (params.q) s.set("q", params.q);
    if (p > 1) s.set("page", String(p));
    return `/admin/users${s.size ? `?${s}` : ""}`;
  };
  return (
    <>
      <PageHeader title="Users" description="Roles decide who approves (owners, admins) and who runs the portal (admins)." />
      <form role="search" action="/admin/users" className="mb-4 flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="users-q" className="block text-sm font-medium">
            Search
          </label>
          <input
            id="users-q"
            name="q"
            type="search"
            defaultValue={params.q}
            placeholder="Email or name"
            className="h-10 w-72 max-w-full rounded-md border border-zinc-300 px-3 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        </div>
        <button type="submit" className="h-10 rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-500">
          Search
        </button>
      </form>
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No users match “{params.q}”. <Link href="/admin/users" className="text-indigo-600 underline">Show everyone</Link>.
        </p>
      ) : (
        <Table caption="Users, newest first" columns={[{ label: "User" }, { label: "Role" }, { label: "Status" }, { label: "Authenticator" }, { label: "Actions", srOnly: true }]}>
          {rows.map((u) => (
            <tr key={u.id} data-testid="user-row">
              <td className="py-2 pr-4 align-top">
                {u.name ?? u.email}
                {u.id === me.id ? <span className="ml-1 text-xs text-zinc-500">(you)</span> : null}
                <p className="text-xs text-zinc-500">
                  {u.email} · joined {formatDate(u.createdAt)} ·{" "}
                  <AuditTimelineLink subjectType="user" subjectId={u.id} viewerRole={me.role} className="text-indigo-600 underline" />
                </p>
              </td>
              <td className="py-2 pr-4 align-top">
                <RoleForm userId={u.id} role={u.role} email={u.email} />
              </td>
              <td className="py-2 pr-4 align-top">
                {u.disabledAt ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}
              </td>
              <td className="py-2 pr-4 align-top" data-testid="user-authenticator">
                {u.hasAuthenticator ? <Badge tone="green">Set up</Badge> : <Badge>None</Badge>}
                {u.hasAuthenticator && u.id === me.id ? (
                  <p className="mt-1 text-xs text-zinc-500">
                    Yours: change or remove it from{" "}
                    <Link href="/account/security" className="text-indigo-600 underline">
                      Account → Security
                    </Link>
                    .
                  </p>
                ) : null}
                {/* Mounted for everyone else, so "Reset" stays said after the page re-renders without the authenticator. */}
                {u.id !== me.id ? <ResetAuthenticatorForm userId={u.id} email={u.email} hasAuthenticator={u.hasAuthenticator} /> : null}
              </td>
              <td className="py-2 align-top">
                <DisableForm userId={u.id} email={u.email} disabled={u.disabledAt !== null} workingKeys={u.workingKeys} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <nav aria-label="Pages" className="mt-4 flex gap-3 text-sm">
        {params.page > 1 ? <Link href={pageHref(params.page - 1)} className="text-indigo-600 underline">← Newer</Link> : null}
        {hasMore ? <Link href={pageHref(params.page + 1)} className="text-indigo-600 underline">Older →</Link> : null}
      </nav>
    </>
  );
}
