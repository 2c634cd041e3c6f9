// Service chains: per scope (the org's default, a category, one contact), the services tried in order. The
// editor orders the org's services with up/down buttons; saving replaces the scope's chain.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import type { Chain, ChainScopeSchema, Provider } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { channelLabel, providers } from "./messaging-client.js";

type Scope = MessageInitShape<typeof ChainScopeSchema>;

const scopeWords = (c: Chain) => c.scope?.scope.case === "category" ? `category ${c.scope.scope.value}`
  : c.scope?.scope.case === "contactId" ? `contact ${c.scope.scope.value}` : "org default";

export function chainsSection(orgId: string, known: () => Provider[]): { element: HTMLElement; load: () => Promise<unknown> } {
  const list = h("div", { "data-testid": "chains-list" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const editorHolder = h("div");
  const nameOf = (id: string) => known().find((p) => p.id === id)?.name ?? id.slice(0, 8);
  const load = () => attempt(slot, async () => {
    const { chains } = await providers().listChains({ orgId, pageSize: 200 });
    list.replaceChildren(chains.length === 0 ? h("p", { class: "empty", "data-testid": "chains-empty" }, "No chain yet: every enabled service is tried in the order of the contact's addresses.")
      : h("ul", { style: "list-style:none;margin:0;padding:0", "data-testid": "chains" }, chains.map((c) => h("li", { style: "border-top:1px solid var(--line);padding:0.5rem 0", "data-scope": scopeWords(c) },
        h("strong", {}, scopeWords(c)), ": ", c.providerIds.map(nameOf).join(" → "), " ",
        h("button", { type: "button", class: "secondary small", onclick: () => editorHolder.replaceChildren(editor(orgId, known(), c, load)) }, "Edit"), " ",
        h("button", { type: "button", class: "danger small", onclick: async () => {
          if (!confirm(`Delete the chain of ${scopeWords(c)}?`)) return;
          if (await attempt(slot, () => providers().deleteChain({ orgId, scope: c.scope! }))) await load();
        } }, "Delete")))));
  });
  const add = h("button", { type: "button", class: "secondary", "data-testid": "chain-new", onclick: () => editorHolder.replaceChildren(editor(orgId, known(), undefined, load)) }, "New chain");
  return { element: h("section", { class: "card" }, h("h2", {}, "Chains"), slot, list, add, editorHolder), load };
}

function editor(orgId: string, all: Provider[], chain: Chain | undefined, reload: () => Promise<unknown>): HTMLElement {
  const order: string[] = [...(chain?.providerIds ?? [])];
  const kind = h("select", { id: "chain-scope", "data-testid": "chain-scope", disabled: !!chain },
    [["org", "The org's default"], ["category", "A category"], ["contact", "One contact (id)"]].map(([v, label]) =>
      h("option", { value: v, selected: (chain?.scope?.scope.case === "category" && v === "category") || (chain?.scope?.scope.case === "contactId" && v === "contact") }, label)));
  const value = h("input", { id: "chain-scope-value", "data-testid": "chain-scope-value", maxlength: 64, readonly: !!chain,
    value: chain?.scope?.scope.case === "category" || chain?.scope?.scope.case === "contactId" ? chain.scope.scope.value : "" });
  const valueField = h("div", { class: "field" }, h("label", { for: "chain-scope-value" }, "Category or contact id"), value);
  const syncScope = () => { valueField.hidden = kind.value === "org"; };
  kind.addEventListener("change", syncScope);
  syncScope();
  const ordered = h("ol", { "data-testid": "chain-order" });
  const pick = h("select", { id: "chain-add", "data-testid": "chain-add-provider" });
  const render = () => {
    ordered.replaceChildren(...order.map((id, i) => {
      const p = all.find((x) => x.id === id);
      const move = (to: number) => { order.splice(i, 1); order.splice(to, 0, id); render(); };
      return h("li", { "data-provider": id }, p ? `${p.name} (${channelLabel(p.channel)})` : id, " ",
        h("button", { type: "button", class: "secondary small", disabled: i === 0, "aria-label": "Move up", onclick: () => move(i - 1) }, "↑"),
        h("button", { type: "button", class: "secondary small", disabled: i === order.length - 1, "aria-label": "Move down", onclick: () => move(i + 1) }, "↓"),
        h("button", { type: "button", class: "danger small", "aria-label": "Remove", onclick: () => { order.splice(i, 1); render(); } }, "×"));
    }));
    pick.replaceChildren(...all.filter((p) => !order.includes(p.id)).map((p) => h("option", { value: p.id }, `${p.name} (${channelLabel(p.channel)})`)));
  };
  render();
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const form = h("form", { class: "compact", "data-testid": "chain-form" },
    h("h3", {}, chain ? `Chain of ${scopeWords(chain)}` : "New chain"),
    h("div", { class: "field" }, h("label", { for: "chain-scope" }, "Applies to"), kind), valueField,
    ordered,
    h("div", { class: "inline" }, h("div", { class: "field" }, h("label", { for: "chain-add" }, "Add a service"), pick),
      h("button", { type: "button", class: "secondary", "data-testid": "chain-add", onclick: () => { if (pick.value) { order.push(pick.value); render(); } } }, "Add")),
    slot, h("button", { type: "submit", "data-testid": "chain-save" }, "Save chain"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const scope: Scope = kind.value === "category" ? { scope: { case: "category", value: value.value.trim() } }
      : kind.value === "contact" ? { scope: { case: "contactId", value: value.value.trim() } } : { scope: { case: "orgDefault", value: true } };
    if (await attempt(slot, () => providers().setChain({ orgId, scope, providerIds: order }))) {
      form.replaceChildren(okBox("Chain saved."));
      await reload();
    }
  });
  return form;
}
