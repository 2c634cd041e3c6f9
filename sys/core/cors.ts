// CORS for browser clients on other origins: only origins on the configured allow-list get the headers;
// same-origin use (the GUI served by polityd) needs none.
import type { IncomingHttpHeaders } from "node:http";
import { cors } from "@connectrpc/connect";

export interface CorsDecision {
  headers: Record<string, string>;
  // True for a preflight request that has been fully answered.
  preflight: boolean;
}

export function createCors(allowedOrigins: string[]) {
  const allowAll = allowedOrigins.includes("*");
  const allowed = new Set(allowedOrigins);
  const allowHeaders = [...cors.allowedHeaders, "Authorization", "X-Request-Id"].join(", ");
  const exposeHeaders = [...cors.exposedHeaders, "X-Request-Id"].join(", ");
  return (method: string | undefined, headers: IncomingHttpHeaders): CorsDecision | undefined => {
    const origin = headers.origin;
    if (!origin || !(allowAll || allowed.has(origin))) return undefined;
    const common = { "access-control-allow-origin": origin, vary: "Origin" };
    if (method === "OPTIONS" && headers["access-control-request-method"]) {
      return {
        preflight: true,
        headers: { ...common, "access-control-allow-methods": cors.allowedMethods.join(", "), "access-control-allow-headers": allowHeaders, "access-control-max-age": "7200" },
      };
    }
    return { preflight: false, headers: { ...common, "access-control-expose-headers": exposeHeaders } };
  };
}
