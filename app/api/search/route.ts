import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { databaseUnavailableIn } from "@/db/unavailable";
import { currentUser } from "@/lib/auth/guards";
import { searchEverything, searchQuerySchema } from "@/lib/search/search-everything";

export const dynamic = "force-dynamic";

const noStore = { "Cache-Control": "private, no-store" };

/**
 * GET /api/search?q=… for the ⌘K palette: what the signed-in person (or a visitor) may open.
 * Who may see what is decided in lib/search/search-everything.ts, from the session, never the client.
 */
export async function GET(request: Request) {
  const parsed = searchQuerySchema.safeParse({ q: new URL(request.url).searchParams.get("q") ?? undefined });
  if (!parsed.success) {
    return NextResponse.json(
      { error: { code: "invalid_query", message: parsed.error.issues[0]?.message ?? "Say what to search for (?q=…)." } },
      { status: 400, headers: noStore },
    );
  }
  try {
    const user = await currentUser();
    const hits = await searchEverything(db, user, parsed.data.q);
    return NextResponse.json({ hits }, { headers: noStore });
  } catch (error) {
    if (!databaseUnavailableIn(error)) throw error;
    return NextResponse.json(
      { error: { code: "unavailable", message: "Search is unavailable right now. Try again in a moment." } },
      { status: 503, headers: { ...noStore, "Retry-After": "2" } },
    );
  }
}
