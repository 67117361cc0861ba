import { currentUser } from "@/lib/auth/guards";
import { IMPORT_EXAMPLE_CSV } from "@/lib/keys/import-keys";

/** The example import file the page offers (admins only, like the page). */
export async function GET() {
  const user = await currentUser();
  if (user?.role !== "admin" || user.disabled) return new Response("Only an admin can download this file.", { status: 403 });
  return new Response(`${IMPORT_EXAMPLE_CSV}\n`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="portico-keys-example.csv"',
      "Cache-Control": "no-store",
    },
  });
}
