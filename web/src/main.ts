import { Code, ConnectError } from "@connectrpc/connect";
import { resetApi, resumeSession, setSignedOutHandler } from "./api.js";
import { errorBox } from "./errors.js";
import { forgetMe, renderTopbar } from "./layout.js";
import { currentRoute, go, loginPath, type Route } from "./router.js";
import { session } from "./session.js";
import { loginPage, registerPage, setupPage, verifyPage } from "./pages/auth-pages.js";
import { forgotPage, resetPage } from "./pages/password-pages.js";
import { mustVerify, unverifiedPage } from "./pages/unverified.js";
import { orgsPage } from "./pages/orgs.js";
import { orgDetailPage } from "./pages/org-detail.js";
import { messagingRoute } from "./pages/messaging-routes.js";
import { accountsPage } from "./pages/accounts.js";
import { auditPage, healthPage, rolesPage } from "./pages/admin-pages.js";
import { communitiesRoute } from "./pages/voting-routes.js";
import { discoRoute } from "./pages/disco-routes.js";
import { claimPendingAnswers } from "./pages/disco-answer-claim.js";
import { accountPage } from "./pages/linked-accounts.js";
import { adoptGitHubCallback, githubCallbackPage } from "./pages/linked-accounts-callback.js";

type Page = (route: Route) => Promise<Node> | Node;

const publicPages: Record<string, Page> = { login: loginPage, register: registerPage, verify: verifyPage, setup: setupPage, forgot: forgotPage, reset: resetPage };
const consolePages: Record<string, Page> = {
  orgs: (r) => (r.path[2] === "messaging" ? messagingRoute(r) : r.path[1] ? orgDetailPage(r.path[1]) : orgsPage()),
  accounts: accountsPage,
  roles: rolesPage,
  audit: auditPage,
  health: healthPage,
  communities: communitiesRoute,
  disco: discoRoute,
  account: accountPage,
  link: githubCallbackPage,
};
// Console pages a visitor may read without signing in (public communities, their polls, results and activity;
// discovery and published campaigns, as the API allows); a members-only one answers Unauthenticated and sends
// them to sign in.
const openToVisitors = new Set(["communities", "disco"]);

const main = document.getElementById("main")!;
const topbar = document.getElementById("topbar")!;
let renderCount = 0;

async function render(): Promise<void> {
  const route = currentRoute();
  const name = route.path[0] ?? "";
  const page = publicPages[name] ?? consolePages[name];
  if (!page) return go(session.signedIn() ? "/orgs" : "/login");
  const visitor = !session.signedIn();
  // Survey answers given before signing in become the account's as soon as it may claim them.
  if (!visitor) void claimPendingAnswers();
  if (consolePages[name] && visitor && !openToVisitors.has(name)) return go(loginPath());
  const mine = ++renderCount;
  void renderTopbar(topbar, name);
  main.setAttribute("aria-busy", "true");
  let content: Node;
  try {
    // Until its email is verified an account can do nothing else: show how, not forms that would fail.
    content = consolePages[name] && !visitor && (await mustVerify()) ? await unverifiedPage(location.hash.replace(/^#/, "")) : await page(route);
  } catch (err) {
    if (visitor && consolePages[name] && ConnectError.from(err).code === Code.Unauthenticated) {
      if (mine === renderCount) go(loginPath());
      return;
    }
    content = errorBox(err);
  }
  // A newer navigation won the race; drop this stale page.
  if (mine !== renderCount) return;
  main.replaceChildren(content);
  main.removeAttribute("aria-busy");
  main.dataset.page = name;
}

setSignedOutHandler(() => {
  resetApi();
  forgetMe();
  go(loginPath());
});
window.addEventListener("hashchange", () => void render());
// GitHub's OAuth callback arrives on a path, not a hash route: turn it into one before the first render.
adoptGitHubCallback();
// A new tab or a shared link starts without an access token: the session cookie, if any, is asked once first.
void resumeSession().then(() => render());
