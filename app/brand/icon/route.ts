import { db } from "@/db/client";
import { brandImageHeaders } from "@/lib/branding/image-headers";
import { letterMarkSvg } from "@/lib/branding/letter-mark";
import { readBranding, readLogo } from "@/lib/branding/read-branding";

export const dynamic = "force-dynamic";

/** The favicon: the logo, else the name's first letter on the accent. */
export async function GET() {
  const logo = await readLogo(db);
  if (logo) return new Response(new Uint8Array(logo.bytes), { headers: brandImageHeaders(logo.type) });
  const svg = letterMarkSvg(await readBranding(db));
  return new Response(svg, { headers: brandImageHeaders("image/svg+xml") });
}
