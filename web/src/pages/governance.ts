// A community's governance plugins (#/communities/<id>/governance): the instances it enabled (secrets only
// ever shown as "set"), its processes and its live events, for whoever may read them; admins enable a plugin
// through a form made from its config schema, and disable one.
import { api } from "../api.js";
import { formatTime, h } from "../dom.js";
import { okBox } from "../errors.js";
import { signInLink } from "../layout.js";
import { session } from "../session.js";
import type { Plugin, PluginInstance } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { allowedOn, communityNav, crumbs, pageSignal } from "./voting-shared.js";
import { attemptGovernance, governance } from "./governance-client.js";
import { enableSection } from "./governance-enable.js";
import { eventsSection, processesSection } from "./governance-activity.js";

const MANAGE = "governance.plugin.manage";
const READ_PLUGINS = "governance.plugin.read";
const READ_PROCESSES = "governance.process.read";
const READ_EVENTS = "governance.event.read";

export async function governancePage(communityId: string): Promise<Node> {
  const [{ community }, may] = await Promise.all([api.communities.getCommunity({ communityId }),
    allowedOn(communityId, [MANAGE, READ_PLUGINS, READ_PROCESSES, READ_EVENTS])]);
  const head = h("section", { class: "card wide" }, crumbs(community, communityId, "governance"), h("h1", {}, "Governance"),
    h("p", { class: "muted" }, "The plugins that connect this community to its other tools (a random draw, a forum, a chat), the processes they run and what happened on them."),
    communityNav(communityId, "/governance"));
  // Governance is read by signing in, even in a public community (the API refuses visitors).
  if (!session.signedIn()) {
    return h("div", { class: "grid" }, head, h("section", { class: "card wide", "data-testid": "governance-sign-in" },
      h("p", {}, "Sign in to see this community's governance processes."), signInLink("Sign in")));
  }
  if (![MANAGE, READ_PLUGINS, READ_PROCESSES, READ_EVENTS].some((p) => may.has(p))) {
    return h("div", { class: "grid" }, head, h("section", { class: "card wide", "data-testid": "governance-not-allowed" },
      h("p", {}, "Your role in this community does not include reading its governance plugins. Ask an admin of the community if you need to.")));
  }
  const signal = pageSignal();
  // The plugin list is readable by anyone signed in; without it the page still shows instances, unlabelled.
  const plugins = await governance().listPlugins({}).then((r) => r.plugins, () => [] as Plugin[]);
  // Each section only for those who may read it: members see processes, moderators plugins and events too.
  const instances = may.has(READ_PLUGINS) || may.has(MANAGE) ? instancesSection(communityId, plugins, may.has(MANAGE)) : undefined;
  const processes = may.has(READ_PROCESSES) ? processesSection(communityId, signal) : undefined;
  await Promise.all([instances?.load(), processes?.load()]);
  const side = [
    may.has(MANAGE) ? enableSection(communityId, plugins, () => instances?.load() ?? Promise.resolve()) : null,
    may.has(READ_EVENTS) ? eventsSection(communityId, signal, () => void processes?.load()) : null,
  ].filter((x) => x !== null);
  const main = h("div", { class: "stack", style: side.length ? null : "grid-column:1/-1" }, instances?.element, processes?.element);
  return h("div", { class: "grid" }, head, main, side.length ? h("div", { class: "stack" }, side) : null);
}

function instancesSection(communityId: string, plugins: Plugin[], mayManage: boolean): { element: HTMLElement; load: () => Promise<unknown> } {
  const list = h("div", { "data-testid": "plugin-instances" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const load = () => attemptGovernance(slot, async () => {
    const { instances } = await governance().listCommunityPlugins({ communityId });
    if (instances.length === 0) return list.replaceChildren(h("p", { class: "empty", "data-testid": "instances-empty" }, "No plugin is enabled here yet."));
    // One block per instance rather than a table: settings, secrets and the webhook address need the width.
    list.replaceChildren(h("ul", { style: "list-style:none;margin:0;padding:0", "data-testid": "instances" }, instances.map((x) =>
      h("li", { style: "border-top:1px solid var(--line);padding:0.75rem 0", "data-instance": x.id },
        h("div", { style: "display:flex;gap:0.75rem;align-items:baseline;flex-wrap:wrap" },
          h("strong", { "data-testid": "instance-plugin" }, x.plugin), x.platformId ? h("code", {}, x.platformId) : null,
          h("small", { class: "muted", title: x.id }, `enabled ${formatTime(x.createTime)}`),
          mayManage ? h("span", { style: "margin-left:auto" }, disableButton(communityId, x, slot, load)) : null),
        row("Settings", settingsList(x)),
        row("Secrets", secretsList(x, plugins.find((p) => p.name === x.plugin))),
        // Where the platform posts its webhooks: the address an admin pastes into the platform's settings.
        x.hookPath ? row("Webhook", h("code", { style: "word-break:break-all", "data-testid": "instance-hook" }, `${location.origin}${x.hookPath}`)) : null))));
  });
  return { element: h("section", { class: "card" }, h("h2", {}, "Plugins"), slot, list), load };
}

function row(label: string, content: HTMLElement | null): HTMLElement | null {
  return content && h("div", { style: "display:grid;grid-template-columns:6rem minmax(0,1fr);gap:0.5rem;margin-top:0.35rem" }, h("span", { class: "muted" }, label), content);
}

/** The config the server returned: it never holds a secret, so everything in it may be shown. */
function settingsList(x: PluginInstance): HTMLElement {
  const entries = Object.entries(x.config ?? {});
  if (entries.length === 0) return h("span", { class: "muted" }, "defaults");
  return h("div", { "data-testid": "instance-settings" }, entries.map(([k, v]) =>
    h("div", {}, h("code", {}, k), " ", h("span", { style: "word-break:break-all" }, typeof v === "string" ? v : JSON.stringify(v)))));
}

/** Each secret the plugin takes, as "set" or "not set": their values never reach the browser. */
function secretsList(x: PluginInstance, plugin: Plugin | undefined): HTMLElement | null {
  const declared = Object.entries((plugin?.configSchema?.properties ?? {}) as Record<string, { writeOnly?: unknown }>)
    .filter(([, f]) => f?.writeOnly === true).map(([name]) => name);
  const names = [...new Set([...declared, ...x.secretsSet])];
  if (names.length === 0) return null;
  return h("div", { "data-testid": "instance-secrets" }, names.map((name) => {
    const set = x.secretsSet.includes(name);
    return h("span", { style: "margin-right:0.75rem;white-space:nowrap" }, h("code", {}, name), h("span", { class: `badge ${set ? "ok" : "warn"}`, "data-secret": name }, set ? "set" : "not set"));
  }));
}

function disableButton(communityId: string, x: PluginInstance, slot: HTMLElement, reload: () => Promise<unknown>): HTMLElement {
  return h("button", { type: "button", class: "danger small", "data-testid": "disable-instance", onclick: async () => {
    if (!confirm(`Disable ${x.plugin}? Its pending processes are cancelled and its webhooks refused.`)) return;
    if (await attemptGovernance(slot, () => governance().disablePlugin({ communityId, instanceId: x.id }))) {
      await reload();
      slot.replaceChildren(okBox(`Disabled ${x.plugin}.`));
    }
  } }, "Disable");
}
