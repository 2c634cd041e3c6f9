// Hash routing: "#/orgs/123?tab=x" → { path: ["orgs", "123"], query }. Works from any static file server.
export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function currentRoute(hash = location.hash): Route {
  const raw = hash.replace(/^#\/?/, "");
  const [p = "", q = ""] = raw.split("?", 2);
  return { path: p.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

export function go(path: string): void {
  const target = `#${path}`;
  // Re-render even when already there (e.g. after signing out on the login page).
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}

export function link(path: string): string {
  return `#${path}`;
}
