export const SIGN_IN_LINK_MINUTES = 10;

const SENTINEL = "http://portico.invalid";

/**
 * The page a request asked for (path and query), passed on by proxy.ts: a layout cannot see its own
 * URL, and the admin layout's guard runs before any page's, so without it every signed-out visitor
 * of an admin page came back to /admin after signing in.
 */
export const REQUESTED_PATH_HEADER = "x-portico-requested-path";

/** Moves a link Auth.js built onto the configured base URL, so a forged Host header cannot redirect it. */
export function rebaseLink(link: string, baseUrl: string) {
  const original = new URL(link);
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/$/, "");
  const rebased = new URL(`${basePath}${original.pathname}${original.search}`, base.origin);
  const callback = rebased.searchParams.get("callbackUrl");
  if (callback) {
    // Auth.js makes the destination absolute with the origin it saw; only its path is trusted.
    const path = /^https?:\/\//i.test(callback) ? pathOf(new URL(callback)) : callback;
    rebased.searchParams.set("callbackUrl", `${basePath}${safeCallbackPath(path)}`.replace(/^$/, "/"));
  }
  return rebased.toString();
}

/** Only same-site paths are allowed as post-sign-in destinations; anything else becomes "/". */
export function safeCallbackPath(value: string | null | undefined) {
  if (!value) return "/";
  try {
    const parsed = new URL(value, SENTINEL);
    if (parsed.origin !== SENTINEL) return "/";
    const path = pathOf(parsed);
    // "/.//evil.example" normalises to "//evil.example", which a browser reads as another host; and
    // "/%2F%2Fevil.example" or "/%5Cevil.example" become that once anything decodes them.
    return startsLikeAHost(path) ? "/" : path;
  } catch {
    return "/";
  }
}

const isControl = (c: string) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;

function startsLikeAHost(path: string) {
  let current = path;
  for (let round = 0; round < 4; round++) {
    if (/^[/\\][/\\]/.test(current) || [...current.slice(0, 3)].some(isControl)) return true;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return true;
    }
    if (decoded === current) return false;
    current = decoded;
  }
  return true;
}

function pathOf(url: URL) {
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Auth.js's database-session cookie for AUTH_URL's scheme (`__Secure-` over https), never a leftover of the other. */
export const sessionCookieName = (baseUrl: string) => `${new URL(baseUrl).protocol === "https:" ? "__Secure-" : ""}authjs.session-token`;
