// The admin's "Enable a plugin" form: pick a plugin, fill in the config form its JSON Schema makes, send.
// Secret inputs are emptied as soon as the request is made, whatever its answer.
import { h } from "../dom.js";
import { okBox } from "../errors.js";
import type { Plugin } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { attemptGovernance, governance } from "./governance-client.js";
import { configForm, type ConfigForm } from "./governance-config-form.js";

export function enableSection(communityId: string, plugins: Plugin[], reload: () => Promise<unknown>): HTMLElement {
  if (plugins.length === 0) return h("section", { class: "card" }, h("h2", {}, "Enable a plugin"), h("p", { class: "empty" }, "This server offers no plugins."));
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const about = h("p", { class: "muted", "data-testid": "plugin-description", hidden: true });
  const fields = h("div", { class: "config-fields", "data-testid": "config-fields" });
  const platformId = h("input", { id: "plugin-platform-id", name: "plugin-platform-id", maxlength: 200, autocomplete: "off" });
  const choice = h("select", { id: "plugin-choice", name: "plugin-choice", "data-testid": "plugin-choice" },
    h("option", { value: "" }, "Choose a plugin…"), plugins.map((p) => h("option", { value: p.name }, p.name)));
  const submit = h("button", { type: "submit", disabled: true, "data-testid": "enable-plugin" }, "Enable");
  let current: ConfigForm | undefined;

  function show(): void {
    current?.clearSecrets();
    const plugin = plugins.find((p) => p.name === choice.value);
    current = plugin ? configForm(plugin.configSchema, "config") : undefined;
    about.textContent = plugin?.description ?? "";
    about.hidden = !plugin;
    fields.replaceChildren(...(current?.fields ?? []));
    if (plugin && current?.fields.length === 0) fields.append(h("p", { class: "muted" }, "Nothing to set up."));
    submit.disabled = !plugin;
    slot.replaceChildren();
  }
  choice.addEventListener("change", show);

  const form = h("form", { id: "enable-plugin-form", class: "compact", "data-testid": "enable-plugin-form" },
    h("div", { class: "field" }, h("label", { for: "plugin-choice" }, "Plugin"), choice), about, fields,
    h("div", { class: "field" }, h("label", { for: "plugin-platform-id" }, "Platform id (optional)"), platformId,
      h("small", { class: "help" }, "Only to enable a plugin a second time for another workspace or group: that platform's id.")),
    slot, submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const plugin = choice.value;
    const config = current;
    if (!plugin || !config) return;
    submit.disabled = true;
    const ok = await attemptGovernance(slot, async () => {
      try {
        await governance().enablePlugin({ communityId, plugin, config: config.read(), platformId: platformId.value.trim() });
      } finally {
        config.clearSecrets();
      }
    });
    submit.disabled = false;
    if (!ok) return;
    choice.value = "";
    platformId.value = "";
    show();
    await reload();
    slot.replaceChildren(okBox(`Enabled ${plugin}.`));
  });
  return h("section", { class: "card" }, h("h2", {}, "Enable a plugin"), form);
}
