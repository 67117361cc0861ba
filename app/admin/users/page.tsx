import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { userRole } from "@/db/schema";
import { requireRole } from "@/lib/auth/guards";
import { formatDate } from "@/lib/format";
import { USER_STATUSES, listUsers } from "@/lib/users/user-admin";
import { UserRowMenu } from "./user-row-menu";

export const metadata: Metadata = { title: "Users" };

const paramsSchema = z.object({
  q: z.string().max(200).optional().catch(undefined),
  role: z.enum(userRole.enumValues).optional().catch(undefined),
  status: z.enum(USER_STATUSES).optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
});
type Params = z.output<typeof paramsSchema>;

const ROLE_WORDS = { consumer: "Consumer", owner: "Owner", admin: "Admin" } as const;
const control = "mt-1 block h-10 rounded-md border border-zinc-300 bg-white px-3 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-900";

const usersHref = (p: Params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v) s.set(k, v);
  return `/admin/users${s.size ? `?${s}` : ""}`;
};

export default async function UsersPage({ searchParams }: PageProps<"/admin/users">) {
  const me = await requireRole(["admin"], "/admin/users");
  const params = paramsSchema.parse(await searchParams);
  const { rows, nextCursor } = await listUsers(db, params);
  const filtered = Boolean(params.q || params.role || params.status);
  return (
    <>
      <PageHeader title="Users" description="Roles decide who approves (owners, admins) and who runs the portal (admins)." />
      <form role="search" aria-label="Filter users" action="/admin/users" className="mb-4 flex flex-wrap items-end gap-3">
        <label className="text-sm font-medium">
          Search
          <input name="q" type="search" defaultValue={params.q} placeholder="Email or name" className={`${control} w-72 max-w-full`} />
        </label>
        <label className="text-sm font-medium">
          Role
          <select name="role" defaultValue={params.role ?? ""} className={control}>
            <option value="">Any role</option>
            {userRole.enumValues.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORDS[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium">
          Status
          <select name="status" defaultValue={params.status ?? ""} className={control}>
            <option value="">Active or disabled</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </select>
        </label>
        <button type="submit" className="h-10 rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-500">
          Search
        </button>
        {filtered ? (
          <Link href="/admin/users" className="h-10 content-center text-sm text-indigo-600 underline dark:text-indigo-400">
            Clear
          </Link>
        ) : null}
      </form>
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {filtered ? "Nobody matches these filters." : "Nobody here yet."}{" "}
          <Link href="/admin/users" className="text-indigo-600 underline dark:text-indigo-400">
            Show everyone
          </Link>
          .
        </p>
      ) : (
        <Table caption="Users, newest first" columns={[{ label: "User" }, { label: "Role" }, { label: "Status" }, { label: "Authenticator", className: "hidden sm:table-cell" }, { label: "Actions", srOnly: true }]}>
          {rows.map((u) => (
            <tr key={u.id} data-testid="user-row" className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
              <td className="py-2 pr-4 align-top">
                <span className="break-words">{u.name ?? u.email}</span>
                {u.id === me.id ? <span className="ml-1 text-xs text-zinc-500">(you)</span> : null}
                <p className="text-xs break-all text-zinc-500 dark:text-zinc-400">{u.email}</p>
                <p className="text-xs text-zinc-500 dark:text-zinc-400">
                  Joined {formatDate(u.createdAt)} ·{" "}
                  <AuditTimelineLink subjectType="user" subjectId={u.id} viewerRole={me.role} className="text-indigo-600 underline dark:text-indigo-400" />
                </p>
              </td>
              <td className="py-2 pr-4 align-top" data-testid="user-role">
                {ROLE_WORDS[u.role]}
              </td>
              <td className="py-2 pr-4 align-top">
                {u.disabledAt ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}
              </td>
              <td className="hidden py-2 pr-4 align-top sm:table-cell" data-testid="user-authenticator">
                {u.hasAuthenticator ? <Badge tone="green">Set up</Badge> : <Badge>None</Badge>}
                {u.hasAuthenticator && u.id === me.id ? (
                  <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                    Yours: change or remove it from{" "}
                    <Link href="/account/security" className="text-indigo-600 underline dark:text-indigo-400">
                      Account → Security
                    </Link>
                    .
                  </p>
                ) : null}
              </td>
              <td className="py-2 text-right align-top">
                <UserRowMenu
                  user={{
                    id: u.id,
                    email: u.email,
                    role: u.role,
                    disabled: u.disabledAt !== null,
                    workingKeys: u.workingKeys,
                    hasAuthenticator: u.hasAuthenticator,
                    isMe: u.id === me.id,
                  }}
                />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <nav aria-label="Pages" className="mt-4 flex gap-3 text-sm">
        {params.after ? (
          <Link href={usersHref({ ...params, after: undefined })} className="text-indigo-600 underline dark:text-indigo-400">
            ← Newest
          </Link>
        ) : null}
        {nextCursor ? (
          <Link href={usersHref({ ...params, after: nextCursor })} className="text-indigo-600 underline dark:text-indigo-400">
            Older →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
