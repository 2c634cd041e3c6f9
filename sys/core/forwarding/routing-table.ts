// Which tier answers a request path. A mod-only process forwards what belongs to sys (sys-forwarder.ts); a
// deployment with its own gateway routes by the same table (deploy/gateway/). Every service's path starts with
// its package name, so a prefix decides for every protocol (gRPC, gRPC-Web, Connect POST and GET).
export type Tier = "sys" | "mod";

export interface Route {
  /** A path prefix, or the whole path when `exact` is set. */
  prefix: string;
  exact?: boolean;
  tier: Tier;
  what: string;
}

/** First match wins; the last entry catches the rest. */
export const ROUTES: readonly Route[] = [
  { prefix: "/polity.sys.", tier: "sys", what: "sys services: accounts, orgs and projects, sign-in, authorization, communities" },
  { prefix: "/.well-known/jwks.json", exact: true, tier: "sys", what: "the public keys that verify access tokens" },
  { prefix: "/polity.mod.", tier: "mod", what: "mod services: voting, disco" },
  { prefix: "/", tier: "mod", what: "health, reflection, the probes and the web GUI of the process the client reached" },
];

/** The tier serving `path` (the query string, if any, is ignored). */
export function tierOf(path: string, routes: readonly Route[] = ROUTES): Tier {
  const query = path.indexOf("?");
  const bare = query < 0 ? path : path.slice(0, query);
  for (const route of routes) {
    if (route.exact ? bare === route.prefix : bare.startsWith(route.prefix)) return route.tier;
  }
  return "mod";
}
