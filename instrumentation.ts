// Runs once per server process. The Node-only part lives in its own file so the edge build never sees it.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    await import("./instrumentation-node");
  }
}
