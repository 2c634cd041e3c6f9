// The messaging clients of the web app, on the same authenticated transport as every other call (so the session
// cookie, token renewal and the signed-out handler apply), plus the names, tabs and header the org's messaging
// pages share.
import { createClient, type Client } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { api } from "../api.js";
import { h } from "../dom.js";
import { link } from "../router.js";
import type { PolityClient } from "../../../clients/src/core.js";
import { Channel, MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { ContactService } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { ProviderService } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { TemplateService } from "../../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import { BlastService, BlastState } from "../../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import { MessageService } from "../../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";

const cache = new Map<DescService, { transport: unknown; client: unknown }>();

function clientOf<S extends DescService>(service: S): Client<S> {
  // api.ts holds the SDK's whole client and swaps it on sign-out (resetApi): read the transport on every call.
  const transport = (api as Partial<PolityClient>).transport;
  if (!transport) throw new Error("The messaging client has no transport: the web app's API client changed shape.");
  const hit = cache.get(service);
  if (hit?.transport === transport) return hit.client as Client<S>;
  const client = createClient(service, transport);
  cache.set(service, { transport, client });
  return client;
}

export const contacts = () => clientOf(ContactService);
export const providers = () => clientOf(ProviderService);
export const templates = () => clientOf(TemplateService);
export const blasts = () => clientOf(BlastService);

export const CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.TELEGRAM, Channel.WEBHOOK, Channel.SLACK, Channel.DISCORD];
export const CHANNEL_LABEL: Record<number, string> = {
  [Channel.EMAIL]: "email", [Channel.SMS]: "SMS", [Channel.TELEGRAM]: "Telegram", [Channel.WEBHOOK]: "webhook",
  [Channel.SLACK]: "Slack", [Channel.DISCORD]: "Discord",
};
export const channelLabel = (c: Channel) => CHANNEL_LABEL[c] ?? "unknown";

export const STATE_LABEL: Record<number, string> = {
  [MessageState.PENDING]: "PENDING", [MessageState.SENDING]: "SENDING", [MessageState.SENT]: "SENT",
  [MessageState.DELIVERED_SERVICE]: "DELIVERED_SERVICE", [MessageState.DELIVERED_USER]: "DELIVERED_USER",
  [MessageState.READ]: "READ", [MessageState.REPLIED]: "REPLIED", [MessageState.FAILED]: "FAILED", [MessageState.CANCELLED]: "CANCELLED",
};

export function messageStateBadge(state: MessageState): HTMLElement {
  const tone = state === MessageState.FAILED ? "danger" : state === MessageState.CANCELLED ? "neutral"
    : state === MessageState.PENDING || state === MessageState.SENDING ? "warn" : "ok";
  return h("span", { class: `badge ${tone}`, "data-testid": "message-state", "data-state": STATE_LABEL[state] ?? "" }, STATE_LABEL[state] ?? "unknown");
}

export const BLAST_STATE_LABEL: Record<number, string> = {
  [BlastState.RUNNING]: "running", [BlastState.PAUSED]: "paused", [BlastState.CANCELLED]: "cancelled", [BlastState.DONE]: "done",
};

export function blastStateBadge(state: BlastState): HTMLElement {
  const tone = state === BlastState.RUNNING ? "ok" : state === BlastState.PAUSED ? "warn" : "neutral";
  return h("span", { class: `badge ${tone}`, "data-testid": "blast-state", "data-state": BLAST_STATE_LABEL[state] ?? "" }, BLAST_STATE_LABEL[state] ?? "unknown");
}

const TABS: Array<[string, string]> = [
  ["contacts", "Contacts"], ["blasts", "Blasts"], ["templates", "Templates"], ["providers", "Services & chains"], ["failed", "Failed messages"],
];

/** The page's header: the way back to the org, the title, and the messaging tabs. */
export function messagingHead(orgId: string, orgName: string, active: string, title: string, ...extra: Array<Node | null>): HTMLElement {
  return h("section", { class: "card wide" },
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: link("/orgs") }, "Organisations"), " / ",
      h("a", { href: link(`/orgs/${orgId}`) }, orgName), " / ", h("a", { href: link(`/orgs/${orgId}/messaging`) }, "Messaging")),
    h("h1", { "data-testid": "messaging-title" }, title),
    h("nav", { class: "tabs", "aria-label": "Messaging" }, TABS.map(([path, label]) =>
      h("a", { href: link(`/orgs/${orgId}/messaging/${path}`), "aria-current": active === path ? "page" : null, "data-tab": path }, label))),
    ...extra);
}

/** Splits "a, b;c" into trimmed, non-empty, distinct items. */
export function listOf(text: string): string[] {
  return [...new Set(text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean))];
}

export const messagingPath = (orgId: string, rest = "") => `/orgs/${orgId}/messaging${rest}`;

export const messages = () => clientOf(MessageService);
