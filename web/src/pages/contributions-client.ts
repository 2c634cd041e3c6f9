// The ContributionsService client of the web app, on the same authenticated transport as every other call
// (session cookie, token renewal, the signed-out handler), rebuilt when a sign-out swaps the transport; and the
// words the contribution pages share.
import { createClient, type Client } from "@connectrpc/connect";
import { api } from "../api.js";
import { h } from "../dom.js";
import type { PolityClient } from "../../../clients/src/core.js";
import { Complexity, ContributionsService, Role } from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";

let cached: { transport: PolityClient["transport"]; client: Client<typeof ContributionsService> } | undefined;

export function contributions(): Client<typeof ContributionsService> {
  const transport = (api as Partial<PolityClient>).transport;
  if (!transport) throw new Error("The contributions client has no transport: the web app's API client changed shape.");
  if (cached?.transport !== transport) cached = { transport, client: createClient(ContributionsService, transport) };
  return cached.client;
}

export const ROLE_WORD: Record<number, string> = { [Role.CONTRIBUTOR]: "contributor", [Role.MENTOR]: "mentor" };
export const COMPLEXITY_WORD: Record<number, string> = { [Complexity.LOW]: "low", [Complexity.MEDIUM]: "medium", [Complexity.HIGH]: "high" };

/** Badges by name, each its own pill, so a list of them reads (and is found) one by one. */
export function badgeList(badges: string[]): HTMLElement {
  return h("span", { "data-testid": "badges" }, badges.map((b) => h("span", { class: "badge ok", "data-testid": "badge" }, b)));
}

/** "owner/name#12", linked to GitHub when the URL is known. */
export function issueLink(x: { repository: string; number: number; url?: string }): HTMLElement | string {
  const text = x.repository ? `${x.repository}#${x.number}` : "";
  return x.url ? h("a", { href: x.url, rel: "noopener noreferrer", target: "_blank" }, text) : text;
}

/** Signed points, so a reversal reads as one. */
export const signed = (points: number) => (points > 0 ? `+${points}` : String(points));

/** A ledger reason in words: "issue closed", "pull request merged", "reversed: …". */
export function reasonWords(reason: string): string {
  if (reason === "issue_closed") return "issue closed";
  if (reason === "pr_merged") return "pull request merged";
  if (reason.startsWith("reversal:")) return `reversed (${reasonWords(reason.slice("reversal:".length))})`;
  return reason.replace(/_/g, " ");
}
