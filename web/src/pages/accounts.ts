// Accounts (platform superadmins and ops): search, filter by kind, disable and enable.
import { api } from "../api.js";
import { field, formatTime, h, table } from "../dom.js";
import { attempt } from "../errors.js";
import { AccountKind, type Account } from "../../../clients/src/gen/polity/sys/account/v1/account_pb.js";

const KINDS: [string, AccountKind][] = [["All kinds", AccountKind.UNSPECIFIED], ["People", AccountKind.PERSON], ["Service accounts", AccountKind.SERVICE]];

export async function accountsPage(): Promise<Node> {
  const list = h("div", { "data-testid": "accounts-list" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "secondary", hidden: true, id: "accounts-more" }, "Load more");
  let rows: Account[] = [];
  let nextToken = "";

  const kindSelect = h("select", { id: "account-kind", name: "kind" }, KINDS.map(([label, k]) => h("option", { value: String(k) }, label)));
  const search = h("form", { class: "inline", role: "search", id: "account-search" },
    field("Search accounts", "account-query", { type: "search", placeholder: "email or name" }),
    h("div", { class: "field" }, h("label", { for: "account-kind" }, "Kind"), kindSelect),
    h("button", { type: "submit", class: "secondary" }, "Search"));

  const query = () => (search.querySelector("#account-query") as HTMLInputElement).value;

  function draw(): void {
    list.replaceChildren(table(["Name", "Email", "Kind", "Status", "Created", ""], rows.map((a) => [
      a.displayName,
      a.email,
      a.kind === AccountKind.SERVICE ? "service" : "person",
      status(a),
      formatTime(a.createdAt),
      toggleButton(a),
    ]), "accounts-table"));
    more.hidden = !nextToken;
  }

  function toggleButton(a: Account): HTMLElement {
    const label = a.disabled ? "Enable" : "Disable";
    return h("button", { type: "button", class: a.disabled ? "secondary small" : "danger small", "data-testid": `toggle-${a.id}`, "aria-label": `${label} ${a.email}`,
      onclick: async () => {
        await attempt(slot, async () => {
          const res = a.disabled ? await api.accounts.enableAccount({ accountId: a.id }) : await api.accounts.disableAccount({ accountId: a.id });
          if (res.account) rows = rows.map((r) => (r.id === a.id ? res.account! : r));
          draw();
        });
      } }, label);
  }

  async function load(append = false): Promise<void> {
    await attempt(slot, async () => {
      const res = await api.accounts.listAccounts({ query: query(), kind: Number(kindSelect.value) as AccountKind, pageSize: 50, pageToken: append ? nextToken : "" });
      rows = append ? [...rows, ...res.accounts] : res.accounts;
      nextToken = res.nextPageToken;
      draw();
    });
  }

  search.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void load();
  });
  more.addEventListener("click", () => void load(true));
  await load();
  return h("section", { class: "card wide" }, h("h1", {}, "Accounts"), search, slot, list, more);
}

function status(a: Account): HTMLElement {
  if (a.disabled) return h("span", { class: "badge danger" }, "disabled");
  if (!a.emailVerified && a.kind !== AccountKind.SERVICE) return h("span", { class: "badge warn" }, "unverified");
  return h("span", { class: "badge ok" }, "active");
}
