import { db } from "@/db/client";
import { brandImageHeaders } from "@/lib/branding/image-headers";
import { readLogo } from "@/lib/branding/read-branding";

export const dynamic = "force-dynamic";

/** The uploaded logo, as an image only (lib/branding/image-headers.ts). 404 when there is none. */
export async function GET() {
  const logo = await readLogo(db);
  if (!logo) return new Response("This portal has no logo.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });
  return new Response(new Uint8Array(logo.bytes), { headers: brandImageHeaders(logo.type) });
}
