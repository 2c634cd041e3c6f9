// A community's governance plugins (#/communities/<id>/governance): the instances it enabled (secrets only
// ever shown as "set"), its processes and its live events, for whoever may read them; admins enable a plugin
// through a form made from its config schema, and disable one.
import { api } from "../api.js";
import { formatTime, h, table } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { signInLink } from "../layout.js";
import { session } from "../session.js";
import type { Plugin, PluginInstance } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { allowedOn, communityNav, crumbs, pageSignal } from "./voting-shared.js";
import { governance } from "./governance-client.js";
import { enableSection } from "./governance-enable.js";
import { eventsSection, processesSection } from "./governance-activity.js";

const MANAGE = "governance.plugin.manage";
const READ = ["governance.plugin.read", "governance.process.read", "governance.event.read"];

export async function governancePage(communityId: string): Promise<Node> {
  const [{ community }, may] = await Promise.all([api.communities.getCommunity({ communityId }), allowedOn(communityId, [MANAGE, ...READ])]);
  const head = h("section", { class: "card wide" }, crumbs(community, communityId, "governance"), h("h1", {}, "Governance"),
    h("p", { class: "muted" }, "The plugins that connect this community to its other tools (a random draw, a forum, a chat), the processes they run and what happened on them."),
    communityNav(communityId, "/governance"));
  if (!session.signedIn()) return h("div", { class: "grid" }, head, h("section", { class: "card wide" }, h("p", {}, "Sign in to see this community's governance plugins."), signInLink("Sign in")));
  if (![MANAGE, ...READ].some((p) => may.has(p))) {
    return h("div", { class: "grid" }, head, h("section", { class: "card wide", "data-testid": "governance-not-allowed" },
      h("p", {}, "Only members with a role that may read governance (usually admins and moderators) see this page. Ask an admin of the community if you need to.")));
  }
  const signal = pageSignal();
  // The plugin list is readable by anyone signed in; without it the page still shows instances, unlabelled.
  const plugins = await governance().listPlugins({}).then((r) => r.plugins, () => [] as Plugin[]);
  const instances = instancesSection(communityId, plugins, may.has(MANAGE));
  const processes = processesSection(communityId, signal);
  await Promise.all([instances.load(), processes.load()]);
  return h("div", { class: "grid" }, head,
    h("div", { class: "stack" }, instances.element, processes.element),
    h("div", { class: "stack" },
      may.has(MANAGE) ? enableSection(communityId, plugins, instances.load) : null,
      eventsSection(communityId, signal, () => void processes.load())));
}

function instancesSection(communityId: string, plugins: Plugin[], mayManage: boolean): { element: HTMLElement; load: () => Promise<unknown> } {
  const list = h("div", { "data-testid": "plugin-instances" });
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const load = () => attempt(slot, async () => {
    const { instances } = await governance().listCommunityPlugins({ communityId });
    list.replaceChildren(table(["Plugin", "Settings", "Secrets", "Webhook", "Enabled", ""], instances.map((x) => [
      h("span", { "data-testid": "instance-plugin", title: x.id }, x.plugin, x.platformId ? h("small", { class: "muted" }, ` ${x.platformId}`) : null),
      settingsList(x), secretsList(x, plugins.find((p) => p.name === x.plugin)),
      x.hookPath ? h("code", {}, `${location.origin}${x.hookPath}`) : "",
      formatTime(x.createTime),
      mayManage ? disableButton(communityId, x, slot, load) : "",
    ]), "instances-table"));
  });
  return { element: h("section", { class: "card" }, h("h2", {}, "Plugins"), slot, list), load };
}

/** The config the server returned: it never holds a secret, so everything in it may be shown. */
function settingsList(x: PluginInstance): HTMLElement | string {
  const entries = Object.entries(x.config ?? {});
  if (entries.length === 0) return h("span", { class: "muted" }, "defaults");
  return h("dl", { class: "settings", style: "display:grid;grid-template-columns:auto 1fr;gap:0.1rem 0.6rem;margin:0" }, entries.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "string" ? v : JSON.stringify(v))]));
}

/** Each secret the plugin takes, as "set" or "not set": their values never reach the browser. */
function secretsList(x: PluginInstance, plugin: Plugin | undefined): HTMLElement | string {
  const declared = Object.entries((plugin?.configSchema?.properties ?? {}) as Record<string, { writeOnly?: unknown }>)
    .filter(([, f]) => f?.writeOnly === true).map(([name]) => name);
  const names = [...new Set([...declared, ...x.secretsSet])];
  if (names.length === 0) return "";
  return h("ul", { class: "plain", style: "list-style:none;margin:0;padding:0", "data-testid": "instance-secrets" }, names.map((name) => {
    const set = x.secretsSet.includes(name);
    return h("li", {}, `${name} `, h("span", { class: `badge ${set ? "ok" : "warn"}`, "data-secret": name }, set ? "set" : "not set"));
  }));
}

function disableButton(communityId: string, x: PluginInstance, slot: HTMLElement, reload: () => Promise<unknown>): HTMLElement {
  return h("button", { type: "button", class: "danger small", "data-testid": "disable-instance", onclick: async () => {
    if (!confirm(`Disable ${x.plugin}? Its pending processes are cancelled and its webhooks refused.`)) return;
    if (await attempt(slot, () => governance().disablePlugin({ communityId, instanceId: x.id }))) {
      await reload();
      slot.replaceChildren(okBox(`Disabled ${x.plugin}.`));
    }
  } }, "Disable");
}
