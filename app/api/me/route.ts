import { NextResponse } from "next/server";
import { apiUser } from "@/lib/auth/guards";

/** The signed-in user, or JSON 401. */
export async function GET() {
  const { user, error } = await apiUser();
  if (error) return error;
  return NextResponse.json({ user });
}
