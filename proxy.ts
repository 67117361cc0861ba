import { NextResponse, type NextRequest } from "next/server";
import { createDb } from "@/db/connect";
import { REQUESTED_PATH_HEADER, sessionCookieName } from "@/lib/auth/links";
import { isPublishedSlug } from "@/lib/catalogue/published-slug";
import { databaseUnavailableIn } from "@/db/unavailable";
import { describeError } from "@/lib/describe-error";
import { sessionMustEnrol } from "@/lib/second-factor/step-up";
import { env } from "@/lib/env";
import { bodyLimitFor, declaresMoreThan, payloadTooLarge, streamExceeds } from "@/lib/http/body-limit";
import { API_CONTENT_SECURITY_POLICY, pageContentSecurityPolicy, strictTransportSecurity } from "@/lib/http/security-headers";
import { SLUG_PATTERN } from "@/lib/products/product-schema";
import { ICON_PATH, LOGO_PATH } from "@/lib/branding/defaults";
import { BRAND_IMAGE_CSP } from "@/lib/branding/image-headers";

/**
 * Runs before every page and API route (not static files, not the verify endpoint: see `config`).
 * 1. An address that does not decode (`/apis/%ff`) is a 400, never a 500 further in.
 * 2. Catalogue routing, so that nothing a visitor types creates a cache entry:
 *    - `/apis` without a query is a static page; with `q` or `tag` it is rewritten (URL unchanged
 *      for the visitor) to the dynamic /catalogue-search route.
 *    - `/apis/<slug>` pages are cached per slug, so only published products reach them; any other
 *      slug is rewritten to the dynamic /missing page, which answers 404 and stores nothing.
 * 3. A body over its route's limit (lib/http/body-limit.ts) is a 413 here, counted as it streams,
 *    so a chunked body without Content-Length is caught too. For server actions this is the only
 *    clean refusal: past serverActions.bodySizeLimit Next itself answers 500 (its action handler's
 *    ApiError(413) is not mapped to a status); a route handler that answers early resets the upload.
 * 4. A signed-in person the second-factor policy covers who has no authenticator yet is sent to set
 *    one up from every page, the cached catalogue pages included (lib/second-factor/step-up.ts);
 *    pages behind sign-in check it again (requireUser), server actions in their wrapper.
 * 5. Security headers that depend on the request (a CSP nonce) or on AUTH_URL at run time (HSTS);
 *    the fixed ones come from next.config.mjs.
 */
export async function proxy(request: NextRequest) {
  const { pathname, searchParams } = request.nextUrl;
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return withSecurityHeaders(
      NextResponse.json({ error: "bad_request", message: "This address is not valid. Check the link and try again." }, { status: 400 }),
      { api: true },
    );
  }

  const bodyLimit = bodyLimitFor(path);
  if (await bodyTooLarge(request, bodyLimit)) return withSecurityHeaders(payloadTooLarge(bodyLimit), { api: true });
  if (path.startsWith("/api/")) return withSecurityHeaders(NextResponse.next(), { api: true });
  // The brand's images: nothing inside an uploaded SVG may run (lib/branding/image-headers.ts).
  if (path === LOGO_PATH || path === ICON_PATH) return withSecurityHeaders(NextResponse.next(), { policy: BRAND_IMAGE_CSP });

  const enrol = await secondFactorSetupRedirect(request, path);
  if (enrol instanceof Response) return withSecurityHeaders(enrol, {});

  const rewrite = await catalogueRewrite(request, path, searchParams);
  if (rewrite === "static") return withSecurityHeaders(NextResponse.next(), {});
  // The session could not be looked up: a real 503 for a signed-in visitor's page (its render would
  // only fail the same way); the cached catalogue above is still served.
  if (enrol === "unavailable") return withSecurityHeaders(unavailablePage(), { api: true });
  if (rewrite) {
    const url = request.nextUrl.clone();
    url.pathname = rewrite;
    if (rewrite === "/missing") url.search = "";
    return withPageNonce(request, (headers) => NextResponse.rewrite(url, { request: { headers } }));
  }
  return withPageNonce(request, (headers) => NextResponse.next({ request: { headers } }));
}

async function bodyTooLarge(request: NextRequest, limit: number) {
  if (request.method === "GET" || request.method === "HEAD") return false;
  if (declaresMoreThan(request.headers, limit)) return true;
  return request.headers.has("content-length") ? false : streamExceeds(request.body, limit);
}

/** The route a catalogue address is served by: "static" (cached page), another path, or null (not the catalogue). */
async function catalogueRewrite(request: NextRequest, path: string, searchParams: URLSearchParams) {
  if (path === "/") return "static";
  if (path === "/apis") return searchParams.has("q") || searchParams.has("tag") ? "/catalogue-search" : "static";
  if (!path.startsWith("/apis/")) return null;
  const slug = path.slice("/apis/".length);
  if (!SLUG_PATTERN.test(slug)) return "/missing";
  try {
    return (await isPublishedSlug(proxyDb(), slug)) ? "static" : "/missing";
  } catch (error) {
    // The page itself answers (from its cache, or with its error page) when the database is away.
    // By code, never the message: drizzle's lists the query's parameters.
    console.error(`proxy: catalogue lookup failed: ${describeError(error)}`);
    return "static";
  }
}

/** Where a person who must set up an authenticator may still go: the setup, signing in and out, the dev mailbox. */
const BEFORE_SECOND_FACTOR = ["/account/security", "/signin", "/dev/mailbox"];

async function secondFactorSetupRedirect(request: NextRequest, path: string) {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  if (BEFORE_SECOND_FACTOR.some((p) => path === p || path.startsWith(`${p}/`))) return null;
  const token = request.cookies.get(sessionCookieName(env.baseUrl))?.value;
  if (!token) return null;
  try {
    if (!(await sessionMustEnrol(proxyDb(), token))) return null;
  } catch (error) {
    // Pages behind sign-in check again; the catalogue is public anyway.
    // By code, never the message: a driver error lists the query's parameters, the session token among them.
    console.error(`proxy: second-factor check failed: ${describeError(error)}`);
    return databaseUnavailableIn(error) ? "unavailable" : null;
  }
  // On AUTH_URL's origin: Next names every loopback host "localhost" in request.nextUrl, where the
  // session cookie of a browser on 127.0.0.1 does not exist.
  const asked = request.nextUrl.clone();
  asked.searchParams.delete("_rsc");
  const url = new URL("/account/security", new URL(env.baseUrl).origin);
  url.searchParams.set("required", "1");
  url.searchParams.set("callbackUrl", `${asked.pathname}${asked.search}`);
  return NextResponse.redirect(url);
}

/**
 * HTTP 503 for a page while the database is away: no script, no styles of the app (nothing here
 * may need the database), a refresh by itself every 5 s. The app's own error boundary
 * (components/unavailable-notice.tsx) says the same where a page fails after this point.
 */
function unavailablePage() {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>Temporarily unavailable · Portico</title></head>
<body><main id="main"><h1>Temporarily unavailable</h1>
<p>Portico cannot reach its database right now, so this page could not be loaded. Nothing has signed you out.</p>
<p>This page tries again by itself every 5 seconds, or reload it now.</p></main></body></html>`;
  return new NextResponse(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Retry-After": "5", "Cache-Control": "no-store" },
  });
}

/** A fresh nonce per request: Next reads it from the request's CSP header and puts it on its scripts. */
function withPageNonce(request: NextRequest, respond: (headers: Headers) => NextResponse) {
  const nonce = btoa(crypto.randomUUID());
  const policy = pageContentSecurityPolicy({ nonce, dev: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  // Pages behind sign-in learn which URL was asked for (lib/auth/guards.ts), so a signed-out visitor
  // comes back to it after signing in. Set here, it replaces anything a client sent under that name.
  const asked = request.nextUrl.clone();
  asked.searchParams.delete("_rsc");
  headers.set(REQUESTED_PATH_HEADER, `${asked.pathname}${asked.search}`);
  headers.set("content-security-policy", policy);
  return withSecurityHeaders(respond(headers), { policy });
}

function withSecurityHeaders<R extends Response>(response: R, opts: { api?: boolean; policy?: string }) {
  const policy =
    opts.policy ?? (opts.api ? API_CONTENT_SECURITY_POLICY : pageContentSecurityPolicy({ dev: process.env.NODE_ENV === "development" }));
  response.headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(strictTransportSecurity(env.baseUrl))) response.headers.set(name, value);
  return response;
}

// The proxy is bundled apart from the app, so it keeps its own small pool.
const globalForProxy = globalThis as unknown as { porticoProxyDb?: ReturnType<typeof createDb>["db"] };
function proxyDb() {
  globalForProxy.porticoProxyDb ??= createDb(env.DATABASE_URL, { max: 2, timeoutMs: env.dbTimeoutMs }).db;
  return globalForProxy.porticoProxyDb;
}

export const config = {
  // Static files carry next.config.mjs's headers only. The verify endpoint is left out so gateways'
  // calls skip this hop and its body is never buffered here (the route reads it with a limit).
  matcher: ["/((?!_next/static|_next/image|favicon\\.ico|api/v1/keys/verify).*)"],
};
