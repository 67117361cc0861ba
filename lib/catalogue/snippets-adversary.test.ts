import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkOpenApi } from "@/lib/products/openapi";
import { snippets, snippetTarget } from "./snippets";

// A product's owner writes its OpenAPI document; every reader of the product page copies the
// snippets into a terminal or a program. The document's first server URL and first path went into
// them unquoted: an owner could make a consumer's shell or program run anything.
const dir = mkdtempSync(join(tmpdir(), "snippets-"));
const MARKER = "@@MARKER@@";

function doc(server: string, path: string) {
  return JSON.stringify({
    openapi: "3.0.3",
    info: { title: "Evil", version: "1" },
    servers: [{ url: server }],
    paths: { [path]: { get: { responses: { "200": { description: "ok" } } } } },
  });
}

const attacks: [string, string, string][] = [
  ["command substitution in the server URL", `https://api.example.com/$(touch ${MARKER})`, "/v1/things"],
  ["a ; and a quote in the path", "https://api.example.com", `/x';touch ${MARKER};'"+(globalThis.pwned=1)+"`],
  ["a line break in the path", "https://api.example.com", `/x\ntouch ${MARKER}\n`],
  ["backticks in the path", "https://api.example.com", `/\`touch ${MARKER}\``],
  ['a " breaking out of the JS/Python string', `https://api.example.com/"+(globalThis.pwned=1)+"`, `/v1/"+__import__('os').system('touch ${MARKER}')+"`],
];

describe("adversary: code snippets from an owner's OpenAPI document", () => {
  for (const [what, server, path] of attacks) {
    for (const authMethod of ["api_key", "oauth2"] as const) {
      it(`${what} (${authMethod}): the snippets only ever call that URL`, async () => {
        const marker = join(dir, `pwned-${authMethod}-${attacks.findIndex((a) => a[0] === what)}`);
        const openapi = doc(server.replaceAll(MARKER, marker), path.replaceAll(MARKER, marker));
        expect((await checkOpenApi(openapi)).ok, "the document is accepted by the product form").toBe(true);
        const target = snippetTarget({ slug: "evil", authMethod }, openapi, "https://portal.test");
        const code = snippets(target, "My App");
        const url = `${target.baseUrl}${target.path}`;

        // curl: run it in bash with curl replaced by a function that records its arguments.
        const out = execFileSync("bash", ["-c", `curl() { printf '%s\\0' "$@"; }\n${code.curl}`], { encoding: "utf8" });
        expect(existsSync(marker), "the shell ran the owner's command").toBe(false);
        expect(out.split("\0"), "curl is given the URL as one argument").toContain(url);

        // JavaScript: run it with fetch recorded.
        const called: string[] = [];
        const g = globalThis as { pwned?: number };
        delete g.pwned;
        const fetchStub = async (u: string) => {
          called.push(u);
          return { status: 200, json: async () => ({ access_token: "t" }) };
        };
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
        await new AsyncFunction("fetch", "process", "console", "btoa", code.javascript)(fetchStub, { env: {} }, { log: () => undefined }, btoa);
        expect(g.pwned, "the JavaScript ran the owner's code").toBeUndefined();
        expect(called.at(-1)).toBe(url);

        // Python: the URL is one string literal (parsed, never run).
        const py = execFileSync(
          "python3",
          ["-c", "import ast,sys\nt=ast.parse(sys.stdin.read())\nprint('\\0'.join(n.value for n in ast.walk(t) if isinstance(n, ast.Constant) and isinstance(n.value, str)))"],
          { input: code.python, encoding: "utf8" },
        );
        expect(py.split("\0")).toContain(url);
      });
    }
  }

  it("an ordinary document still gives the plain snippet", () => {
    const target = snippetTarget({ slug: "ok", authMethod: "api_key" }, doc("https://api.example.com/", "/v1/items/{id}"), "https://portal.test");
    const code = snippets(target, "My App");
    expect(code.curl).toContain("https://api.example.com/v1/items/{id}");
    expect(code.javascript).toContain('fetch("https://api.example.com/v1/items/{id}"');
  });
});
