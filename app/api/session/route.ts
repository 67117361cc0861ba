import { NextResponse } from "next/server";
import type { UserRole } from "@/db/schema";
import { currentUser } from "@/lib/auth/guards";
import { devMailboxEnabled } from "@/lib/mail/transport-from-env";

export type SessionState = {
  user: { name: string | null; email: string; role: UserRole } | null;
  devMailbox: boolean;
};

/** Who is signed in, for the header. Anonymous is a normal answer here, not a 401. */
export async function GET() {
  const user = await currentUser();
  const body: SessionState = {
    user: user ? { name: user.name, email: user.email, role: user.role } : null,
    devMailbox: devMailboxEnabled(),
  };
  return NextResponse.json(body, { headers: { "Cache-Control": "private, no-store" } });
}
