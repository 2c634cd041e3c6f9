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

/** The path of the page shown now, e.g. "/communities/x/polls/y?tab=z". */
export function currentPath(hash = location.hash): string {
  return hash.replace(/^#/, "") || "/";
}

// Pages a sign-in must not return to: they would loop or undo it.
const NO_RETURN = /^\/(login|register|setup|verify|forgot|reset)(\/|\?|$)/;

/**
 * `next` when it is an in-app hash path ("/communities/x"), else undefined: an address from the URL must never
 * send the visitor elsewhere (another origin, a javascript: URL) after signing in.
 */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/.test(next) || next.startsWith("//") || NO_RETURN.test(next)) return undefined;
  return next;
}

/** The sign-in page that returns to `next` (by default the page shown now) afterwards. */
export function loginPath(next = currentPath()): string {
  const target = safeNext(next);
  return target ? `/login?next=${encodeURIComponent(target)}` : "/login";
}
