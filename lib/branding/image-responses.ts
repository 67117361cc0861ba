import type { Queryable } from "@/db/connect";
import { brandImageHeaders } from "./image-headers";
import { letterMarkSvg } from "./letter-mark";
import { readBranding, readLogo } from "./read-branding";

/** GET /brand/logo: the uploaded logo as an inert image, 404 when there is none. */
export async function logoResponse(db: Queryable) {
  const logo = await readLogo(db);
  if (!logo) {
    return new Response("This portal has no logo.", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
    });
  }
  return new Response(new Uint8Array(logo.bytes), { headers: brandImageHeaders(logo.type) });
}

/** GET /brand/icon (the favicon): the logo, else the name's first letter on the accent. */
export async function iconResponse(db: Queryable) {
  const logo = await readLogo(db);
  if (logo) return new Response(new Uint8Array(logo.bytes), { headers: brandImageHeaders(logo.type) });
  return new Response(letterMarkSvg(await readBranding(db)), { headers: brandImageHeaders("image/svg+xml") });
}
