import type { Metadata } from "next";
import { z } from "zod";
import { FilterActions, FilterField, ResetFiltersHint, filterBarClass } from "@/components/ui/filter-bar";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Select } from "@/components/ui/select";
import { db } from "@/db/client";
import { userRole } from "@/db/schema";
import { requireRole } from "@/lib/auth/guards";
import { pageLinks } from "@/lib/paging/keyset";
import { USER_STATUSES, listUsers } from "@/lib/users/user-admin";
import { UsersTable } from "./users-table";

export const metadata: Metadata = { title: "Users" };

const paramsSchema = z.object({
  q: z.string().max(200).optional().catch(undefined),
  role: z.enum(userRole.enumValues).optional().catch(undefined),
  status: z.enum(USER_STATUSES).optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
  before: z.string().max(200).optional().catch(undefined),
});
type Params = z.output<typeof paramsSchema>;

const ROLE_WORDS = { consumer: "Consumer", owner: "Owner", admin: "Admin" } as const;

const usersHref = (p: Params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v) s.set(k, v);
  return `/admin/users${s.size ? `?${s}` : ""}`;
};

export default async function UsersPage({ searchParams }: PageProps<"/admin/users">) {
  const me = await requireRole(["admin"], "/admin/users");
  const params = paramsSchema.parse(await searchParams);
  const { rows, ...page } = await listUsers(db, params);
  const links = pageLinks(page);
  const filtered = Boolean(params.q || params.role || params.status);
  return (
    <>
      <PageHeader title="Users" description="Roles decide who approves (owners, admins) and who runs the portal (admins)." />
      <form role="search" aria-label="Filter users" action="/admin/users" className={`mb-4 ${filterBarClass}`}>
        <FilterField label="Search">
          <Input name="q" type="search" defaultValue={params.q} placeholder="Email or name" />
        </FilterField>
        <FilterField label="Role">
          <Select name="role" defaultValue={params.role ?? ""}>
            <option value="">Any role</option>
            {userRole.enumValues.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORDS[r]}
              </option>
            ))}
          </Select>
        </FilterField>
        <FilterField label="Status">
          <Select name="status" defaultValue={params.status ?? ""}>
            <option value="">Active or disabled</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </Select>
        </FilterField>
        <FilterActions resetHref="/admin/users" />
      </form>
      <UsersTable
        rows={rows}
        meId={me.id}
        previousHref={links.previous && usersHref({ ...params, ...links.previous })}
        nextHref={links.next && usersHref({ ...params, ...links.next })}
        empty={{
          title: filtered ? "Nobody matches these filters" : "Nobody here yet",
          body: <ResetFiltersHint href="/admin/users" toSee="everyone" />,
        }}
      />
    </>
  );
}
