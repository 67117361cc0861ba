export const SIGN_IN_LINK_MINUTES = 10;

const SENTINEL = "http://portico.invalid";

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
    // "/.//evil.example" normalises to "//evil.example", which a browser reads as another host.
    return path.startsWith("//") ? "/" : path;
  } catch {
    return "/";
  }
}

function pathOf(url: URL) {
  return `${url.pathname}${url.search}${url.hash}`;
}
