// "Your account" (#/account): who is signed in and the accounts on other platforms linked to them. Linking
// GitHub sends the browser to GitHub's authorize page with a state the server bound to this account; GitHub sends
// it back to the callback route (linked-accounts-callback.ts), which completes the link and returns here.
// The page only ever shows the signed-in person's own links: it asks for whoami's account, never another's.
import { h, formatTime, table } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { whoami } from "../layout.js";
import { link, type Route } from "../router.js";
import type { Identity } from "../../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { howLinked, howSure, identities, platformName } from "./linked-accounts-client.js";

export async function accountPage(route: Route): Promise<Node> {
  const me = await whoami();
  const linked = route.query.get("linked");
  // Said once: a reload or a bookmark of this address must not announce the link again.
  if (linked) history.replaceState(null, "", link("/account"));
  return h("section", { class: "card wide" },
    h("h1", {}, "Your account"),
    h("p", {}, h("strong", {}, me.displayName || me.email), me.displayName ? ` · ${me.email}` : ""),
    linked ? okBox(`Your GitHub account ${linked} is now linked.`) : null,
    await linkedAccountsSection(me.accountId));
}

export async function linkedAccountsSection(accountId: string): Promise<HTMLElement> {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const list = h("div", { "data-testid": "linked-accounts-list" });
  let rows: Identity[] = [];

  const linkGitHub = h("button", { type: "button", id: "link-github", "data-testid": "link-github",
    onclick: async () => {
      linkGitHub.setAttribute("disabled", "");
      const left = await attempt(slot, async () => {
        const { authorizeUrl } = await identities().startGitHubLink({});
        // GitHub's page, then back to the callback route; nothing on this page survives the trip.
        location.assign(authorizeUrl);
      });
      if (!left) linkGitHub.removeAttribute("disabled");
    } }, "Link GitHub");

  function draw(): void {
    list.replaceChildren(table(["Platform", "Account", "How", "Linked", ""], rows.map((x) => [
      platformName(x.platform),
      h("span", { "data-testid": `linked-${x.platform}` }, x.platformUsername || x.platformUserId),
      `${howLinked(x)}, ${howSure(x)}`,
      formatTime(x.linkedAt),
      unlinkButton(x),
    ]), "linked-accounts"));
  }

  function unlinkButton(x: Identity): HTMLElement {
    const name = `${platformName(x.platform)} ${x.platformUsername || x.platformUserId}`;
    return h("button", { type: "button", class: "danger small", "data-testid": `unlink-${x.platform}-${x.platformUserId}`, "aria-label": `Unlink ${name}`,
      onclick: async () => {
        await attempt(slot, async () => {
          await identities().unlinkIdentity({ accountId, platform: x.platform, platformUserId: x.platformUserId });
          rows = rows.filter((r) => !(r.platform === x.platform && r.platformUserId === x.platformUserId));
          draw();
          slot.replaceChildren(okBox(`${name} is no longer linked.`));
        });
      } }, "Unlink");
  }

  await attempt(slot, async () => {
    rows = (await identities().listIdentities({ accountId })).identities;
    draw();
  });
  return h("section", { "data-testid": "linked-accounts", "aria-labelledby": "linked-accounts-title" },
    h("h2", { id: "linked-accounts-title" }, "Linked accounts"),
    h("p", { class: "muted" }, "Accounts on other platforms that are yours. Communities use them to credit your work (GitHub issues and pull requests, for instance)."),
    slot, list, h("p", {}, linkGitHub));
}
