import Link from "next/link";
import { Button } from "@/components/ui/button";
import { currentUser } from "@/lib/auth/guards";

export default async function Forbidden() {
  // Owners reach this only on admin-only pages (users, audit log, email settings).
  const user = await currentUser();
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-2 text-2xl font-semibold">You do not have access to this page</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        {user?.role === "owner"
          ? "This page is for Portico admins. If you need it, ask an admin to do it for you or to change your role."
          : "This area is for API owners and admins. If you think you should have access, ask a Portico admin to change your role."}
      </p>
      <Button asChild className="mt-6">
        <Link href="/">Back to the catalogue</Link>
      </Button>
    </div>
  );
}
