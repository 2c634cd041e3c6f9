// polity plugins list | show | enabled | enable | update | disable | hooks: the governance plugins a server
// offers and the instances a community enabled. Secrets go in through --config or --config-file and never come
// back out: the server returns configs without them, and only says which are set.
import type { Command } from "commander";
import type { JsonObject } from "@bufbuild/protobuf";
import {
  DisablePluginResponseSchema, EnablePluginResponseSchema, ListCommunityPluginsResponseSchema, ListHooksResponseSchema,
  ListPluginsResponseSchema, PluginSchema, UpdatePluginResponseSchema, type Plugin,
} from "../../gen/polity/mod/governance/v1/governance_pb.js";
import { action } from "../session.js";
import { UsageError } from "../exit.js";
import { printRecord, printTable, shortId, tableTime } from "../output.js";
import { communityId } from "../community-context.js";
import type { Io } from "../io.js";
import { configFrom, configLines, governance, printInstance, resolveInstance, secretsText } from "./governance-shared.js";

type ConfigFlags = { config?: string; configFile?: string };
const CONFIG_HELP = "instance config as a JSON object (secrets included; they are never shown again)";

export function register(program: Command, io: Io): void {
  const p = program.command("plugins").description("governance plugins: what the server offers, what a community enabled");

  p.command("list").description("the plugins this server offers, with their actions and processes").action(action(io, async (s) => {
    const res = await governance(s).listPlugins({});
    // One row per thing a person can name in a command: the plugin, then its actions, processes and events.
    s.emit(ListPluginsResponseSchema, res, () => printTable(s.io, ["NAME", "KIND", "DESCRIPTION"], res.plugins.flatMap((x) => [
      [x.name, x.webhooks ? "plugin, webhooks" : "plugin", x.description],
      ...x.actions.map((a) => [a.name, a.public ? "public action" : "action", a.description]),
      ...x.processes.map((a) => [a.name, "process", a.description]),
      ...x.eventTypes.map((t) => [t, "event", ""]),
    ])));
  }));

  p.command("show <plugin>").description("one plugin: its config fields, actions, processes and events").action(action(io, async (s, name: string) => {
    const plugin = (await governance(s).listPlugins({})).plugins.find((x) => x.name === name);
    if (!plugin) throw new UsageError(`No plugin is named "${name}". See them with \`polity plugins list\`.`);
    s.emit(PluginSchema, plugin, () => showPlugin(s.io, plugin));
  }));

  p.command("enabled <community>")
    .description("the plugin instances a community enabled (secrets shown as set, never their values)")
    .option("--include-disabled", "also instances that were disabled", false)
    .action(action(io, async (s, ref: string, o: { includeDisabled: boolean }) => {
      const res = await governance(s).listCommunityPlugins({ communityId: await communityId(s, ref), includeDisabled: o.includeDisabled });
      // The platform id and a disabled mark go under the plugin's name, so the config has the width.
      s.emit(ListCommunityPluginsResponseSchema, res, () => printTable(s.io, ["ID", "PLUGIN", "CONFIG", "SECRETS", "UPDATED (UTC)"], res.instances.map((x) => [
        shortId(x.id), [x.plugin, x.platformId, x.enabled ? "" : "(disabled)"].filter(Boolean).join("\n"), configLines(x.config), secretsText(x, "\n"), tableTime(x.updateTime),
      ])));
    }));

  p.command("enable <community> <plugin>")
    .description("enable a plugin in a community (again with another --platform-id for a second instance)")
    .option("--config <json>", CONFIG_HELP)
    .option("--config-file <file>", "the config from a JSON file (- reads stdin)")
    .option("--platform-id <id>", "the platform's id of what this instance bridges (a Slack team, a Loomio group)")
    .action(action(io, async (s, ref: string, plugin: string, o: ConfigFlags & { platformId?: string }) => {
      const config = (await configFrom(s, o)) ?? {};
      const res = await governance(s).enablePlugin({ communityId: await communityId(s, ref), plugin, config, platformId: o.platformId ?? "" });
      s.emit(EnablePluginResponseSchema, res, () => printInstance(s, res.instance));
    }));

  p.command("update <community> <instance>")
    .description("replace an instance's config; secrets left out keep their stored value (instance: id, prefix or plugin name)")
    .option("--config <json>", CONFIG_HELP)
    .option("--config-file <file>", "the config from a JSON file (- reads stdin)")
    .action(action(io, async (s, ref: string, instance: string, o: ConfigFlags) => {
      const config = await configFrom(s, o);
      if (!config) throw new UsageError("Pass the new config with --config JSON or --config-file FILE.");
      const id = await communityId(s, ref);
      const res = await governance(s).updatePlugin({ communityId: id, instanceId: await resolveInstance(s, id, instance, ref), config });
      s.emit(UpdatePluginResponseSchema, res, () => printInstance(s, res.instance));
    }));

  p.command("disable <community> <instance>")
    .description("disable an instance: its pending processes are cancelled, its webhooks refused")
    .action(action(io, async (s, ref: string, instance: string) => {
      const id = await communityId(s, ref);
      const res = await governance(s).disablePlugin({ communityId: id, instanceId: await resolveInstance(s, id, instance, ref) });
      s.emit(DisablePluginResponseSchema, res, () => printInstance(s, res.instance));
    }));

  p.command("hooks <community>").description("where the platforms of the community's instances post their webhooks").action(action(io, async (s, ref: string) => {
    const res = await governance(s).listHooks({ communityId: await communityId(s, ref) });
    // Paths are relative to the server; a person pastes the whole URL into the platform's settings.
    s.emit(ListHooksResponseSchema, res, () => printTable(s.io, ["WEBHOOK URL"], res.hooks.map((path) => [`${s.server}${path}`])));
  }));
}

function showPlugin(io: Io, plugin: Plugin): void {
  printRecord(io, { plugin: plugin.name, description: plugin.description, auth: plugin.authType, webhooks: plugin.webhooks, events: plugin.eventTypes.join(", ") });
  const props = (plugin.configSchema?.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((plugin.configSchema?.required ?? []) as string[]);
  io.stdout("\nConfig:\n");
  printTable(io, ["FIELD", "TYPE", "REQUIRED", "SECRET", "DEFAULT", "DESCRIPTION"], Object.entries(props).map(([name, f]) => [
    name, typeText(f), required.has(name), f.writeOnly === true, f.default === undefined ? "" : JSON.stringify(f.default), String(f.description ?? f.title ?? ""),
  ]));
  if (plugin.actions.length) {
    io.stdout("\nActions (polity actions run COMMUNITY NAME --param key=value):\n");
    printTable(io, ["ACTION", "PUBLIC", "PARAMETERS", "DESCRIPTION"], plugin.actions.map((a) => [a.name, a.public, fieldsText(a.inputSchema), a.description]));
  }
  if (plugin.processes.length) {
    io.stdout("\nProcesses (polity processes start COMMUNITY NAME --input JSON):\n");
    printTable(io, ["PROCESS", "INPUT", "DESCRIPTION"], plugin.processes.map((x) => [x.name, fieldsText(x.inputSchema), x.description]));
  }
}

function typeText(field: JsonObject): string {
  if (Array.isArray(field.enum)) return field.enum.map((v) => JSON.stringify(v)).join(" | ");
  return Array.isArray(field.type) ? field.type.join(" | ") : String(field.type ?? "any");
}

/** "low: integer, high: integer*" (a star marks the required ones). */
function fieldsText(schema: JsonObject | undefined): string {
  const props = (schema?.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(props).map(([name, f]) => `${name}: ${typeText(f)}${required.has(name) ? "*" : ""}`).join("\n");
}
