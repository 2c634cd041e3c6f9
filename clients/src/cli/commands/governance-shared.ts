// What the governance commands (plugins, actions, processes, events, subscriptions, deliveries) share: the
// GovernanceService client on the session's transport, JSON read from flags and files, names of the status
// enums, id resolution by prefix, and how an instance is shown (secrets as "set", never their values).
import { readFileSync } from "node:fs";
import { createClient, type Client } from "@connectrpc/connect";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { DeliveryStatus, GovernanceService, ProcessStatus, type PluginInstance } from "../../gen/polity/mod/governance/v1/governance_pb.js";
import { UsageError } from "../exit.js";
import { printRecord, time } from "../output.js";
import { isUuid, listAll, pick } from "../resolve.js";
import type { Session } from "../session.js";

export type Governance = Client<typeof GovernanceService>;

// One client per session: it rides the session's authenticated transport, so tokens renew as for other calls.
const clients = new WeakMap<Session, Governance>();
export function governance(s: Session): Governance {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(GovernanceService, s.client.transport)));
  return client;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * A JSON object from a flag or a file. The text itself never appears in the error: a --config may hold a
 * secret, and V8's JSON errors quote the input.
 */
export function parseObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new UsageError(`${what} is not valid JSON${at ? ` (near character ${at})` : ""}. Pass an object, e.g. '{"key": "value"}'.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object, e.g. '{"key": "value"}'.`);
  return value as JsonObject;
}

/** --config JSON or --config-file FILE ("-" reads stdin); undefined when neither is given. */
export async function configFrom(s: Session, o: { config?: string; configFile?: string }): Promise<JsonObject | undefined> {
  if (o.config !== undefined && o.configFile !== undefined) throw new UsageError("Pass --config or --config-file, not both.");
  if (o.config !== undefined) return parseObject(o.config, "--config");
  if (o.configFile === undefined) return undefined;
  let text: string;
  try {
    text = o.configFile === "-" ? await s.io.readStdin() : readFileSync(o.configFile, "utf8");
  } catch (err) {
    throw new UsageError(`Cannot read --config-file ${o.configFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  return parseObject(text, `--config-file ${o.configFile}`);
}

/** JSON for a person, on one line: tables and records wrap it (they would drop an indented form's spaces). */
export function jsonText(value: JsonValue | undefined): string {
  return value === undefined ? "" : JSON.stringify(value);
}

const enumName = <E extends number>(names: Record<string, E>, value: E) => Object.entries(names).find(([, v]) => v === value)?.[0] ?? String(value);

export const PROCESS_STATUSES: Record<string, ProcessStatus> = {
  created: ProcessStatus.CREATED, pending: ProcessStatus.PENDING, completed: ProcessStatus.COMPLETED, failed: ProcessStatus.FAILED, cancelled: ProcessStatus.CANCELLED,
};
export const DELIVERY_STATUSES: Record<string, DeliveryStatus> = { pending: DeliveryStatus.PENDING, delivered: DeliveryStatus.DELIVERED, failed: DeliveryStatus.FAILED };
export const processStatusName = (x: ProcessStatus) => enumName(PROCESS_STATUSES, x);
export const deliveryStatusName = (x: DeliveryStatus) => enumName(DELIVERY_STATUSES, x);

export function parseStatus<E extends number>(names: Record<string, E>, flag: string, value: string): E {
  const hit = names[value.trim().toLowerCase()];
  if (hit === undefined) throw new UsageError(`${flag} "${value}" is not one of: ${Object.keys(names).join(", ")}.`);
  return hit;
}

/** "name: set" for each secret holding a value; what it holds is never sent by the server, nor shown here. */
export const secretsText = (instance: PluginInstance, separator = ", ") => instance.secretsSet.map((name) => `${name}: set`).join(separator);

/** A config as "key=value" lines, strings bare, other values as JSON. */
export const configLines = (config: JsonObject | undefined) =>
  Object.entries(config ?? {}).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n");

export function printInstance(s: Session, instance: PluginInstance | undefined): void {
  if (!instance) return;
  printRecord(s.io, {
    id: instance.id,
    plugin: instance.plugin,
    "platform id": instance.platformId,
    enabled: instance.enabled,
    config: jsonText(instance.config),
    secrets: secretsText(instance),
    "webhook path": instance.hookPath,
    created: time(instance.createTime),
    updated: time(instance.updateTime),
  });
}

/** A plugin instance of the community: its id, a unique id prefix, or the plugin's name when enabled once. */
export async function resolveInstance(s: Session, communityId: string, ref: string, command: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const { instances } = await governance(s).listCommunityPlugins({ communityId, includeDisabled: true });
  // A plugin's name picks its enabled instance; a disabled one is only reached by id.
  const live = new Set(instances.filter((i) => i.enabled).map((i) => i.plugin));
  return pick("plugin instance", ref, instances.map((i) => ({
    id: i.id, names: i.enabled && live.has(i.plugin) ? [i.plugin] : [], label: `${i.plugin}${i.platformId ? ` (${i.platformId})` : ""}${i.enabled ? "" : " disabled"}`,
  })), `polity plugins enabled ${command}`, "an instance id or the plugin's name");
}

export async function resolveProcess(s: Session, communityId: string, ref: string, command: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const processes = await listAll(async (pageToken) => {
    const res = await governance(s).listProcesses({ communityId, pageSize: 200, pageToken });
    return { items: res.processes, next: res.nextPageToken };
  });
  return pick("process", ref, processes.map((p) => ({ id: p.id, names: [], label: `${p.name} ${processStatusName(p.status)}` })), `polity processes list ${command}`, "its id");
}

export async function resolveSubscription(s: Session, communityId: string, ref: string, command: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const { subscriptions } = await governance(s).listSubscriptions({ communityId });
  return pick("subscription", ref, subscriptions.map((x) => ({ id: x.id, names: [x.url], label: x.url })), `polity subscriptions list ${command}`, "its id or its URL");
}

export async function resolveDelivery(s: Session, communityId: string, ref: string, command: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const deliveries = await listAll(async (pageToken) => {
    const res = await governance(s).listDeliveries({ communityId, pageSize: 200, pageToken });
    return { items: res.deliveries, next: res.nextPageToken };
  });
  return pick("delivery", ref, deliveries.map((d) => ({ id: d.id, names: [], label: `${d.kind} to ${d.url} ${deliveryStatusName(d.status)}` })), `polity deliveries list ${command}`, "its id");
}

