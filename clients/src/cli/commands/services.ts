// polity services kinds | add | list | show | update | remove: the messaging providers ("services") an org
// sends through. Credentials go in through --config or --config-file and never come back out: the server returns
// configs without them and only says which are set.
import type { Command } from "commander";
import { createClient, type Client } from "@connectrpc/connect";
import type { JsonObject } from "@bufbuild/protobuf";
import { Channel } from "../../gen/polity/mod/messaging/v1/common_pb.js";
import {
  CreateProviderResponseSchema, GetProviderResponseSchema, ListProviderKindsResponseSchema, ListProvidersResponseSchema,
  type Provider, ProviderService, UpdateProviderResponseSchema,
} from "../../gen/polity/mod/messaging/v1/providers_pb.js";
import { action, type Session } from "../session.js";
import { UsageError } from "../exit.js";
import { printNextPage, printRecord, printTable, shortId, time } from "../output.js";
import { listAll, pick, resolveOrg } from "../resolve.js";
import type { Io } from "../io.js";
import { configFrom } from "./governance-shared.js";

type Providers = Client<typeof ProviderService>;
type OrgFlag = { org: string };
type ConfigFlags = { config?: string; configFile?: string };

const clients = new WeakMap<Session, Providers>();
export function providers(s: Session): Providers {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(ProviderService, s.client.transport)));
  return client;
}

export const channelName = (c: Channel): string => (Channel[c] ?? String(c)).toLowerCase();

export function channelOf(text: string): Channel {
  const value = Channel[text.trim().toUpperCase() as keyof typeof Channel];
  if (typeof value !== "number" || value === Channel.UNSPECIFIED) throw new UsageError(`"${text}" is not a channel; use email, sms, telegram, webhook, slack or discord`);
  return value;
}

function rateOf(text: string): number {
  const rate = Number(text);
  if (!Number.isFinite(rate) || rate < 0) throw new UsageError(`--rate must be a number of messages per second (0: the kind's default), not "${text}"`);
  return rate;
}

/** A provider of the org by id, id prefix or name. */
export async function resolveProvider(s: Session, orgId: string, ref: string): Promise<string> {
  const list = await listAll(async (pageToken) => {
    const res = await providers(s).listProviders({ orgId, pageSize: 200, pageToken });
    return { items: res.providers, next: res.nextPageToken };
  });
  return pick("service", ref, list.map((p) => ({ id: p.id, names: [p.name], label: `${p.name} (${p.kind})` })), "polity services list --org ORG", "a name or an id");
}

function showProvider(s: Session, p: Provider | undefined): void {
  if (!p) return;
  printRecord(s.io, {
    id: p.id, name: p.name, kind: p.kind, channel: channelName(p.channel), enabled: p.enabled,
    rate: `${p.ratePerSecond}/s${p.ratePerSecondOverride === undefined ? " (kind default)" : ""}`,
    config: JSON.stringify(p.config ?? {}), "secrets set": p.secretsSet.join(", ") || "none",
    "webhook url": p.webhookUrl || "(this kind receives nothing)", updated: time(p.updateTime),
  });
}

export function register(program: Command, io: Io): void {
  const c = program.command("services").description("messaging services (providers) of an org: SMTP, SMS gateways, bots, webhooks");

  c.command("kinds").description("the kinds of service this server offers, with their config fields")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, o: OrgFlag) => {
      const res = await providers(s).listProviderKinds({ orgId: await resolveOrg(s, o.org) });
      s.emit(ListProviderKindsResponseSchema, res, () => printTable(s.io, ["KIND", "CHANNEL", "RATE/S", "SECRETS", "CONFIG FIELDS", "DESCRIPTION"], res.kinds.map((k) => [
        k.kind, channelName(k.channel), k.defaultRatePerSecond, k.secretFields.join("\n"),
        Object.keys(((k.configSchema?.properties ?? {}) as JsonObject)).join("\n"), k.description,
      ])));
    }));

  c.command("add <kind> <name>").description("configure a service of a kind (see `polity services kinds`)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--config <json>", "the config as a JSON object (secrets included; they are never shown again)")
    .option("--config-file <file>", "the config from a JSON file (- reads stdin)")
    .option("--rate <per-second>", "messages per second (default: the kind's)")
    .option("--disabled", "create it disabled", false)
    .action(action(io, async (s, kind: string, name: string, o: OrgFlag & ConfigFlags & { rate?: string; disabled: boolean }) => {
      const res = await providers(s).createProvider({
        orgId: await resolveOrg(s, o.org), kind, name, config: (await configFrom(s, o)) ?? {},
        ratePerSecond: o.rate === undefined ? undefined : rateOf(o.rate), disabled: o.disabled,
      });
      s.emit(CreateProviderResponseSchema, res, () => showProvider(s, res.provider));
    }));

  c.command("list").description("the org's services")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--channel <channel>", "only this channel (email, sms, telegram, webhook, slack, discord)")
    .option("--page-size <n>", "services per page", "50")
    .option("--page-token <token>", "the next page, as printed by the previous one")
    .action(action(io, async (s, o: OrgFlag & { channel?: string; pageSize: string; pageToken?: string }) => {
      const res = await providers(s).listProviders({ orgId: await resolveOrg(s, o.org), channel: o.channel ? channelOf(o.channel) : Channel.UNSPECIFIED, pageSize: Number(o.pageSize) || 0, pageToken: o.pageToken ?? "" });
      s.emit(ListProvidersResponseSchema, res, () => {
        printTable(s.io, ["ID", "NAME", "KIND", "CHANNEL", "ENABLED", "RATE/S", "SECRETS SET"], res.providers.map((p) => [
          shortId(p.id), p.name, p.kind, channelName(p.channel), p.enabled, p.ratePerSecond, p.secretsSet.join(", "),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  c.command("show <service>").description("one service (name, id or id prefix), with the webhook URL to give the provider")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await providers(s).getProvider({ orgId, providerId: await resolveProvider(s, orgId, ref) });
      s.emit(GetProviderResponseSchema, res, () => showProvider(s, res.provider));
    }));

  c.command("update <service>").description("change a service; a new config replaces the old, secrets left out keep their value")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--name <name>", "a new name")
    .option("--config <json>", "the new config as a JSON object")
    .option("--config-file <file>", "the new config from a JSON file (- reads stdin)")
    .option("--rate <per-second>", "messages per second (0: back to the kind's default)")
    .option("--enable", "enable it")
    .option("--disable", "disable it (chains skip it, its webhook answers 404)")
    .action(action(io, async (s, ref: string, o: OrgFlag & ConfigFlags & { name?: string; rate?: string; enable?: boolean; disable?: boolean }) => {
      if (o.enable && o.disable) throw new UsageError("Pass --enable or --disable, not both.");
      const orgId = await resolveOrg(s, o.org);
      const res = await providers(s).updateProvider({
        orgId, providerId: await resolveProvider(s, orgId, ref), name: o.name, config: await configFrom(s, o),
        ratePerSecond: o.rate === undefined ? undefined : rateOf(o.rate), enabled: o.enable ? true : o.disable ? false : undefined,
      });
      s.emit(UpdateProviderResponseSchema, res, () => showProvider(s, res.provider));
    }));

  c.command("remove <service>").description("delete a service (refused while a chain names it)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const providerId = await resolveProvider(s, orgId, ref);
      await providers(s).deleteProvider({ orgId, providerId });
      if (!s.json) s.io.stdout(`Removed service ${providerId}.\n`);
    }));
}
