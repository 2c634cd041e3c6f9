// Where GitHub sends the browser back after its authorize page. The OAuth app's callback URL is a real path,
// "<server>/link-github" (OAuth forbids a fragment in a redirect URI, so the hash routes cannot be it): the
// server's SPA fallback serves the GUI there, and adoptGitHubCallback turns it into the hash route
// "#/link/github?code=…&state=…" before the first render. One path segment keeps the bundle's relative asset
// URLs ("./assets/…") resolving where they do from "/". The page completes the link once and returns to
// #/account; a refusal (expired or reused state, GitHub refusing the code, the person cancelling) is shown with
// the way to start again.
import { h } from "../dom.js";
import { errorBox } from "../errors.js";
import { link, type Route } from "../router.js";
import { identities } from "./linked-accounts-client.js";

export const GITHUB_CALLBACK_PATH = "link-github";

/** On the callback path: rewrites the address to the hash route, keeping code and state, without a reload. */
export function adoptGitHubCallback(): void {
  const segments = location.pathname.split("/");
  if (segments.at(-1) !== GITHUB_CALLBACK_PATH) return;
  // Back to the directory the GUI is served from, so a reload or bookmark there is an ordinary page.
  const base = `${segments.slice(0, -1).join("/")}/`;
  history.replaceState(null, "", `${base}#/link/github${location.search}`);
}

// A state is accepted once: a re-render of the same callback must not send it a second time.
const completed = new Map<string, Promise<string>>();

export async function githubCallbackPage(route: Route): Promise<Node> {
  if (route.path[1] !== "github") return h("p", {}, "Only GitHub accounts are linked this way. ", h("a", { href: link("/account") }, "Your account"));
  const code = route.query.get("code") ?? "";
  const state = route.query.get("state") ?? "";
  const denied = route.query.get("error");
  if (denied || !code || !state) {
    const why = denied === "access_denied" ? "You did not authorize Polity on GitHub, so nothing was linked." : `GitHub did not send back a code${denied ? ` (${denied})` : ""}, so nothing was linked.`;
    return failed(h("div", { class: "alert error", role: "alert", "data-testid": "error", "data-reason": denied ?? "NO_CODE" }, why));
  }
  let linking = completed.get(state);
  if (!linking) {
    linking = identities().completeGitHubLink({ code, state }).then((r) => r.identity?.platformUsername ?? "");
    completed.set(state, linking);
  }
  try {
    const login = await linking;
    // Replaces the callback in the history: Back must not land on a spent state.
    location.replace(link(`/account?linked=${encodeURIComponent(login)}`));
    return h("p", { "aria-busy": "true" }, "Linked; back to your account…");
  } catch (err) {
    return failed(errorBox(err));
  }
}

function failed(reason: HTMLElement): HTMLElement {
  return h("section", { class: "card", "data-testid": "github-link-failed" },
    h("h1", {}, "Linking GitHub did not work"),
    reason,
    h("p", {}, h("a", { class: "button", href: link("/account") }, "Back to your account"), " and choose Link GitHub to start again."));
}
