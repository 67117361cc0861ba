/**
 * The security headers every response carries (proxy.ts: CSP and HSTS, which depend on the request or
 * on AUTH_URL at run time; next.config.mjs: the fixed ones on every path; the verify listener its own). See README "Security headers" for the reasoning.
 */

type PolicyOptions = {
  /** A per-request nonce for dynamic pages; static pages (no nonce) fall back to 'unsafe-inline' scripts. */
  nonce?: string;
  dev?: boolean;
};

/**
 * The page policy. Dynamic pages get `'nonce-…' 'strict-dynamic'`: only the scripts Next rendered
 * for this request run. The public catalogue's statically cached pages cannot carry a per-request
 * nonce (the HTML is rendered once and reused), so their inline RSC payload scripts need
 * 'unsafe-inline'; they show only published catalogue content and hold no session or secret.
 */
export function pageContentSecurityPolicy({ nonce, dev = false }: PolicyOptions): string {
  const scripts = nonce ? `'self' 'nonce-${nonce}' 'strict-dynamic'` : "'self' 'unsafe-inline'";
  return [
    "default-src 'self'",
    // React's development build evaluates code for its debugging overlays; production never does.
    `script-src ${scripts}${dev ? " 'unsafe-eval'" : ""}`,
    // React renders style attributes and the API reference injects <style> at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self' https://github.com",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** JSON and other non-page responses: nothing may load or frame them. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** HSTS only when the portal is served over https (AUTH_URL); on http it would be ignored or lock out a dev box. */
export function strictTransportSecurity(baseUrl: string): Record<string, string> {
  return baseUrl.startsWith("https://") ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {};
}

/** For responses served outside Next (the dedicated verify listener); next.config.mjs adds nosniff to Next's own. */
export function apiSecurityHeaders(baseUrl: string): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
    ...strictTransportSecurity(baseUrl),
  };
}
