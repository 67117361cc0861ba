import { NextResponse, type NextRequest } from "next/server";
import { REQUESTED_PATH_HEADER } from "@/lib/auth/links";

const slugPattern = /^[a-z0-9][a-z0-9-]{0,99}$/;

/**
 * - `/apis` without a query is a static page; with `q` or `tag` it needs a per-request search, so
 *   it is rewritten (URL unchanged for the visitor) to the dynamic /catalogue-search route.
 * - `/apis/<slug>` pages are cached per slug; anything that cannot be a slug is answered with the
 *   404 page without creating a cache entry for it.
 */
export function proxy(request: NextRequest) {
  const { pathname, searchParams } = request.nextUrl;
  if (!pathname.startsWith("/apis")) return withRequestedPath(request);
  if (pathname === "/apis") {
    if (searchParams.has("q") || searchParams.has("tag")) {
      const url = request.nextUrl.clone();
      url.pathname = "/catalogue-search";
      return NextResponse.rewrite(url);
    }
    return NextResponse.next();
  }
  const slug = decodeURIComponent(pathname.slice("/apis/".length));
  if (!slugPattern.test(slug)) {
    const url = request.nextUrl.clone();
    url.pathname = "/missing";
    url.search = "";
    return NextResponse.rewrite(url);
  }
  return NextResponse.next();
}

/**
 * Pages behind sign-in learn which URL was asked for (lib/auth/guards.ts), so a signed-out visitor
 * comes back to it after signing in. Set here, it replaces anything a client sent under that name.
 */
function withRequestedPath(request: NextRequest) {
  const url = request.nextUrl.clone();
  url.searchParams.delete("_rsc");
  const headers = new Headers(request.headers);
  headers.set(REQUESTED_PATH_HEADER, `${url.pathname}${url.search}`);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/apis", "/apis/:slug*", "/admin/:path*", "/requests/:path*", "/apps/:path*"] };
