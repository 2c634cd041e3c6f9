// The IdentityService client of the web app, on the same authenticated transport as every other call (session
// cookie, token renewal, the signed-out handler), rebuilt when a sign-out swaps the transport; and how a link
// reads in words.
import { createClient, type Client } from "@connectrpc/connect";
import { api } from "../api.js";
import type { PolityClient } from "../../../clients/src/core.js";
import { IdentityService, LinkQuality, LinkType, type Identity } from "../../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";

let cached: { transport: PolityClient["transport"]; client: Client<typeof IdentityService> } | undefined;

export function identities(): Client<typeof IdentityService> {
  const transport = (api as Partial<PolityClient>).transport;
  if (!transport) throw new Error("The identity client has no transport: the web app's API client changed shape.");
  if (cached?.transport !== transport) cached = { transport, client: createClient(IdentityService, transport) };
  return cached.client;
}

const HOW: Record<number, string> = { [LinkType.OAUTH]: "proved by signing in", [LinkType.ADMIN]: "linked by an admin", [LinkType.EMAIL]: "matched by email" };
const SURE: Record<number, string> = {
  [LinkQuality.CONFIRMED_STRONG]: "confirmed",
  [LinkQuality.CONFIRMED_WEAK]: "confirmed (weak)",
  [LinkQuality.UNCONFIRMED]: "unconfirmed",
};

export const howLinked = (x: Identity): string => HOW[x.linkType] ?? "";
export const howSure = (x: Identity): string => SURE[x.linkQuality] ?? "";

/** "GitHub", "Discord"…: the platform's name as people write it. */
export function platformName(platform: string): string {
  const known: Record<string, string> = { github: "GitHub", discord: "Discord", slack: "Slack", discourse: "Discourse", loomio: "Loomio" };
  return known[platform] ?? platform;
}
