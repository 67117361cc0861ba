import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function Forbidden() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-2 text-2xl font-semibold">You do not have access to this page</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        This area is for API owners and admins. If you think you should have access, ask a Portico admin to change
        your role.
      </p>
      <Button asChild className="mt-6">
        <Link href="/">Back to the catalogue</Link>
      </Button>
    </div>
  );
}
