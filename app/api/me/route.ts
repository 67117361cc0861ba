import { NextResponse } from "next/server";
import { currentUser } from "@/lib/auth/guards";

/** The signed-in user (never the session token), or JSON 401. */
export async function GET() {
  const user = await currentUser();
  if (!user) return NextResponse.json({ error: { code: "unauthenticated", message: "Sign in first." } }, { status: 401 });
  const { id, role, email, name, secondFactor } = user;
  return NextResponse.json({ user: { id, role, email, name, secondFactor: { enrolled: secondFactor.enrolled, mustEnrol: secondFactor.mustEnrol } } });
}
