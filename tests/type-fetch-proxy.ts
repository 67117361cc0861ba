import net from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that resets the first connection on which the driver sends
 * postgres.js's read of the array types, as a database going away mid-statement does (ECONNRESET),
 * and passes every other connection through. For db/dropped-type-fetch.test.ts.
 */
export async function resetFirstTypeFetch(databaseUrl: string) {
  const target = new URL(databaseUrl);
  let reset = false;
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    client.on("data", (chunk) => {
      if (!reset && chunk.includes("pg_catalog.pg_type")) {
        reset = true;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.writable && client.write(chunk));
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(databaseUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((proxy.address() as net.AddressInfo).port);
  return { url: proxied.toString(), wasReset: () => reset, close: () => new Promise<void>((resolve) => proxy.close(() => resolve())) };
}
