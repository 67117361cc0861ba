import path from "node:path";

/**
 * nginx.conf for an NGINX run in the foreground from `root` (pid, logs and temp files there), with `http` as
 * the inside of its http block (indented, ending in a newline). Runs as root where the test does (CI).
 */
export function nginxConf(root: string, http: string) {
  const temp = (name: string) => path.join(root, name);
  return `${process.getuid?.() === 0 ? "user root;\n" : ""}worker_processes 1;
daemon off;
pid ${temp("nginx.pid")};
error_log ${temp("error.log")} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${temp("body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
${http}}
`;
}
