import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { listApps } from "@/lib/apps/list-apps";
import { currentUser } from "@/lib/auth/guards";

/**
 * The names of the signed-in person's apps, for the code snippets on a product page (which is
 * cached for everyone, so it asks from the browser). Signed out: an empty list, not an error, and
 * `signedIn: false` (the snippets then ask the reader to sign in rather than to create an app).
 */
export async function GET() {
  const user = await currentUser();
  const names = user ? (await listApps(db, user.id)).map((a) => a.name) : [];
  return NextResponse.json({ apps: names, signedIn: Boolean(user) }, { headers: { "Cache-Control": "private, no-store" } });
}
