import { api, resetApi } from "./api.js";
import { h } from "./dom.js";
import { link, go, loginPath } from "./router.js";
import { COOKIE_REFRESH } from "./session.js";
import { session } from "./session.js";
import type { WhoAmIResponse } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";

let me: WhoAmIResponse | undefined;

/** The signed-in principal, fetched once per sign-in. */
export async function whoami(): Promise<WhoAmIResponse> {
  me ??= await api.auth.whoAmI({});
  return me;
}

export function isSuperadmin(who: WhoAmIResponse | undefined): boolean {
  return !!who?.roles.some((r) => r.resource === "platform" && /superadmin|ops/.test(r.role));
}

export async function signOut(): Promise<void> {
  // Revoke the session (and clear its cookie) server-side when possible; the local sign-out happens regardless.
  await api.auth.logout({ refreshToken: COOKIE_REFRESH }).catch(() => undefined);
  resetApi();
  me = undefined;
  go("/login");
}

/**
 * For a visitor who is not signed in, in place of a control that needs a session (voting, joining): a link to
 * the sign-in page that comes back to this page afterwards.
 */
export function signInLink(label = "Sign in to vote"): HTMLElement {
  return h("a", { class: "button", href: link(loginPath()), "data-testid": "sign-in-link" }, label);
}

export function forgetMe(): void {
  me = undefined;
}

// The console pages need a platform role; others never see their links (the server refuses them anyway).
const NAV: Array<{ path: string; label: string; platform?: true }> = [
  { path: "/orgs", label: "Organisations" },
  { path: "/communities", label: "Communities" },
  { path: "/disco", label: "Discover" },
  { path: "/accounts", label: "Accounts", platform: true },
  { path: "/roles", label: "Roles" },
  { path: "/audit", label: "Audit log", platform: true },
  { path: "/health", label: "Health", platform: true },
];

export async function renderTopbar(bar: HTMLElement, active: string): Promise<void> {
  const brand = h("a", { class: "brand", href: link(session.signedIn() ? "/orgs" : "/login") }, "Polity");
  if (!session.signedIn()) {
    // Visitors may read public communities and discovery; everything else starts with signing in.
    const open: Array<[string, string]> = [["communities", "Communities"], ["disco", "Discover"]];
    const pages = open.some(([name]) => name === active)
      ? [h("nav", { "aria-label": "Console" }, h("ul", {}, open.map(([name, label]) =>
          h("li", {}, h("a", { href: link(`/${name}`), "aria-current": name === active ? "page" : null }, label))))),
        h("div", { class: "account" }, h("a", { href: link(loginPath()), "data-testid": "topbar-sign-in" }, "Sign in"))]
      : [];
    bar.replaceChildren(brand, ...pages);
    return;
  }
  const list = h("ul", {});
  const showNav = (platform: boolean) =>
    list.replaceChildren(...NAV.filter((item) => platform || !item.platform).map(({ path, label }) =>
      h("li", {}, h("a", { href: link(path), "aria-current": active === path.slice(1) ? "page" : null }, label))));
  showNav(false);
  const nav = h("nav", { "aria-label": "Console" }, list);
  const who = h("a", { class: "who", href: link("/account"), "data-testid": "whoami" });
  const out = h("button", { type: "button", class: "secondary", id: "sign-out", "data-testid": "sign-out", onclick: () => void signOut() }, "Sign out");
  bar.replaceChildren(brand, nav, h("div", { class: "account" }, who, out));
  try {
    const w = await whoami();
    showNav(isSuperadmin(w));
    who.textContent = w.displayName || w.email;
    who.title = `${w.email} · ${w.roles.map((r) => `${r.role} on ${r.resource}`).join(", ") || "no roles"}`;
    if (!w.emailVerified) who.append(h("span", { class: "badge warn" }, "unverified"));
  } catch {
    who.textContent = "";
  }
}
