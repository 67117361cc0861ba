export const SIGN_IN_LINK_MINUTES = 10;

/** Moves a link Auth.js built onto the configured base URL, so a forged Host header cannot redirect it. */
export function rebaseLink(link: string, baseUrl: string) {
  const original = new URL(link);
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/$/, "");
  const rebased = new URL(`${basePath}${original.pathname}${original.search}`, base.origin);
  const callback = rebased.searchParams.get("callbackUrl");
  if (callback) rebased.searchParams.set("callbackUrl", safeCallbackPath(callback));
  return rebased.toString();
}

/** Only same-site paths are allowed as post-sign-in destinations. */
export function safeCallbackPath(value: string | null | undefined) {
  if (!value) return "/";
  try {
    const parsed = new URL(value, "http://portico.invalid");
    if (parsed.origin !== "http://portico.invalid" && !/^https?:\/\//.test(value)) return "/";
    const path = `${parsed.pathname}${parsed.search}`;
    return path.startsWith("/") && !path.startsWith("//") ? path : "/";
  } catch {
    return "/";
  }
}
