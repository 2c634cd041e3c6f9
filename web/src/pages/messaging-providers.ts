// An org's services (#/orgs/<id>/messaging/providers): the providers configured (secrets only ever shown as
// "set"), each editable through the form its kind's JSON Schema makes, enabled, disabled or deleted; a new one of
// any kind the server offers; and the service chains below (messaging-chains.ts).
import type { JsonObject } from "@bufbuild/protobuf";
import { h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import type { Provider, ProviderKind } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { configForm } from "./governance-config-form.js";
import { channelLabel, messagingHead, providers } from "./messaging-client.js";
import { chainsSection } from "./messaging-chains.js";

export async function providersPage(orgId: string, orgName: string): Promise<Node> {
  const kinds = await providers().listProviderKinds({ orgId }).then((r) => r.kinds);
  const list = h("div", { "data-testid": "providers-list" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const editor = h("div");
  let current: Provider[] = [];
  const chains = chainsSection(orgId, () => current);
  const load = async () => {
    await attempt(slot, async () => {
      current = (await providers().listProviders({ orgId, pageSize: 200 })).providers;
      list.replaceChildren(current.length === 0 ? h("p", { class: "empty", "data-testid": "providers-empty" }, "No service is configured yet.")
        : h("ul", { style: "list-style:none;margin:0;padding:0", "data-testid": "providers" }, current.map((p) =>
          providerItem(orgId, p, kinds.find((k) => k.kind === p.kind), slot, load, (form) => editor.replaceChildren(form)))));
    });
    await chains.load();
  };
  await load();
  return h("div", { class: "grid" },
    messagingHead(orgId, orgName, "providers", "Services & chains", h("p", { class: "muted" },
      "Services carry the messages (an SMTP account, an SMS gateway, a Telegram bot, a signed webhook). A chain lists the services tried in order when one fails for good.")),
    h("section", { class: "card" }, h("h2", {}, "Services"), slot, list, editor),
    h("div", { class: "stack" }, createSection(orgId, kinds, load), chains.element));
}

function providerItem(orgId: string, p: Provider, kind: ProviderKind | undefined, slot: HTMLElement, reload: () => Promise<unknown>, openEditor: (form: HTMLElement) => void): HTMLElement {
  const secrets = kind?.secretFields ?? [];
  return h("li", { style: "border-top:1px solid var(--line);padding:0.75rem 0", "data-provider": p.id, "data-name": p.name },
    h("div", { style: "display:flex;gap:0.75rem;align-items:baseline;flex-wrap:wrap" },
      h("strong", { "data-testid": "provider-name" }, p.name), h("code", {}, p.kind), h("small", { class: "muted" }, channelLabel(p.channel)),
      h("span", { class: `badge ${p.enabled ? "ok" : "neutral"}`, "data-testid": "provider-enabled" }, p.enabled ? "enabled" : "disabled"),
      h("small", { class: "muted" }, `${p.ratePerSecond}/s${p.ratePerSecondOverride === undefined ? " (kind default)" : ""}`),
      h("span", { style: "margin-left:auto;display:flex;gap:0.4rem" },
        h("button", { type: "button", class: "secondary small", "data-testid": "provider-edit", onclick: () => openEditor(editForm(orgId, p, kind, reload)) }, "Edit"),
        h("button", { type: "button", class: "secondary small", "data-testid": "provider-toggle", onclick: async () => {
          if (await attempt(slot, () => providers().updateProvider({ orgId, providerId: p.id, enabled: !p.enabled }))) await reload();
        } }, p.enabled ? "Disable" : "Enable"),
        h("button", { type: "button", class: "danger small", "data-testid": "provider-delete", onclick: async () => {
          if (!confirm(`Delete the service ${p.name}?`)) return;
          if (await attempt(slot, () => providers().deleteProvider({ orgId, providerId: p.id }))) {
            await reload();
            slot.replaceChildren(okBox(`Deleted ${p.name}.`));
          }
        } }, "Delete"))),
    h("div", { "data-testid": "provider-config" }, Object.entries(p.config ?? {}).map(([k, v]) =>
      h("div", {}, h("code", {}, k), " ", h("span", { style: "word-break:break-all" }, typeof v === "string" ? v : JSON.stringify(v))))),
    secrets.length ? h("div", {}, secrets.map((s) => h("span", { style: "margin-right:0.75rem" }, h("code", {}, s),
      h("span", { class: `badge ${p.secretsSet.includes(s) ? "ok" : "warn"}`, "data-secret": s }, p.secretsSet.includes(s) ? "set" : "not set")))) : null,
    p.webhookUrl ? h("div", {}, h("small", { class: "muted" }, "Replies and receipts to "), h("code", { style: "word-break:break-all", "data-testid": "provider-webhook" }, p.webhookUrl)) : null);
}

function createSection(orgId: string, kinds: ProviderKind[], reload: () => Promise<unknown>): HTMLElement {
  if (kinds.length === 0) return h("section", { class: "card" }, h("h2", {}, "New service"), h("p", { class: "empty" }, "This server offers no kind of service."));
  const kindPick = h("select", { id: "provider-kind", "data-testid": "provider-kind" }, kinds.map((k) => h("option", { value: k.kind }, `${k.kind} (${channelLabel(k.channel)})`)));
  const name = h("input", { id: "provider-name", required: true, maxlength: 200, "data-testid": "provider-name-input" });
  const rate = h("input", { id: "provider-rate", type: "number", min: 0, max: 100000, step: "any", "data-testid": "provider-rate" });
  const about = h("p", { class: "muted" });
  const fields = h("div", { class: "stack" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  let form = configForm(undefined, "provider-config");
  const pick = () => {
    const kind = kinds.find((k) => k.kind === kindPick.value)!;
    form.clearSecrets();
    form = configForm(kind.configSchema as JsonObject | undefined, "provider-config");
    fields.replaceChildren(...form.fields);
    about.textContent = `${kind.description} Default rate ${kind.defaultRatePerSecond}/s.`;
  };
  kindPick.addEventListener("change", pick);
  pick();
  const el = h("form", { class: "compact", "data-testid": "provider-form" },
    h("div", { class: "field" }, h("label", { for: "provider-kind" }, "Kind"), kindPick), about,
    h("div", { class: "field" }, h("label", { for: "provider-name" }, "Name"), name),
    fields, h("div", { class: "field" }, h("label", { for: "provider-rate" }, "Messages per second (optional)"), rate),
    slot, h("button", { type: "submit", "data-testid": "provider-create" }, "Add service"));
  el.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ok = await attempt(slot, () => providers().createProvider({
      orgId, kind: kindPick.value, name: name.value.trim(), config: form.read(), ratePerSecond: rate.value ? Number(rate.value) : undefined,
    }));
    form.clearSecrets();
    if (!ok) return;
    const created = name.value.trim();
    el.reset();
    pick();
    slot.replaceChildren(okBox(`Added ${created}.`));
    await reload();
  });
  return h("section", { class: "card" }, h("h2", {}, "New service"), el);
}

/** The kind's form with the stored settings filled in; secrets stay empty and, left empty, keep their value. */
function editForm(orgId: string, p: Provider, kind: ProviderKind | undefined, reload: () => Promise<unknown>): HTMLElement {
  const schema = structuredClone((kind?.configSchema ?? {}) as JsonObject);
  const props = (schema.properties ?? {}) as Record<string, JsonObject>;
  for (const [k, v] of Object.entries(p.config ?? {})) if (props[k] && props[k].writeOnly !== true) props[k].default = v;
  schema.required = ((schema.required ?? []) as string[]).filter((k) => props[k]?.writeOnly !== true);
  const form = configForm(schema, `edit-${p.id.slice(0, 8)}`);
  const name = h("input", { id: "provider-edit-name", required: true, maxlength: 200, value: p.name });
  const rate = h("input", { id: "provider-edit-rate", type: "number", min: 0, max: 100000, step: "any", value: p.ratePerSecondOverride ?? "", placeholder: "kind default" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const el = h("form", { class: "compact", "data-testid": "provider-edit-form" },
    h("h3", {}, `Edit ${p.name}`), h("p", { class: "muted" }, "Secrets left empty keep their stored value."),
    h("div", { class: "field" }, h("label", { for: "provider-edit-name" }, "Name"), name), ...form.fields,
    h("div", { class: "field" }, h("label", { for: "provider-edit-rate" }, "Messages per second (0 or empty: the kind's default)"), rate),
    slot, h("div", { class: "inline" }, h("button", { type: "submit", "data-testid": "provider-save" }, "Save service"),
      h("button", { type: "button", class: "secondary", onclick: () => { form.clearSecrets(); el.remove(); } }, "Close")));
  el.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ok = await attempt(slot, () => providers().updateProvider({ orgId, providerId: p.id, name: name.value.trim(), config: form.read(), ratePerSecond: Number(rate.value || 0) }));
    form.clearSecrets();
    if (!ok) return;
    el.remove();
    await reload();
  });
  return el;
}
