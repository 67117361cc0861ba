import { Link } from "@/components/ui/link";
import { Button } from "@/components/ui/button";

export default function Forbidden() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <p className="text-sm font-semibold text-red-600 dark:text-red-400">403</p>
      <h1 className="mt-2 text-2xl font-semibold">You do not have access to this page</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        {/* Static on purpose: this boundary is part of statically rendered pages, so it reads no session. */}
        Your role does not give access to this page (some admin pages are for Portico admins only). If you think
        you should have access, ask a Portico admin.
      </p>
      <Button asChild className="mt-6">
        <Link href="/">Back to the catalogue</Link>
      </Button>
    </div>
  );
}
