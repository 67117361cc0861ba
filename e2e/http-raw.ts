import http from "node:http";
import { type RawAnswer, collect } from "../tests/http-raw";
import { BASE_URL } from "./keys-helpers";

export { type RawAnswer, upload } from "../tests/http-raw";

/** A GET with the path sent byte for byte (fetch would normalise a malformed escape). */
export function rawGet(path: string) {
  return new Promise<RawAnswer>((resolve, reject) => {
    const { hostname, port } = new URL(BASE_URL);
    const req = http.request({ hostname, port, path, method: "GET", agent: false }, (res) => collect(res, resolve));
    req.on("error", reject);
    req.end();
  });
}
