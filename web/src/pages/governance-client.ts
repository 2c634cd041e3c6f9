// The GovernanceService client of the web app, on the same authenticated transport as every other call (so
// the session cookie, token renewal and the signed-out handler apply to it as well), and its errors in words.
import { createClient, type Client } from "@connectrpc/connect";
import { api } from "../api.js";
import { h } from "../dom.js";
import { describeError, errorBox } from "../errors.js";
import type { PolityClient } from "../../../clients/src/core.js";
import { GovernanceService } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";

let cached: { transport: PolityClient["transport"]; client: Client<typeof GovernanceService> } | undefined;

export function governance(): Client<typeof GovernanceService> {
  // api.ts types the client without its transport, but holds the SDK's whole client and swaps it on sign-out
  // (resetApi), so the transport is read on every call and the client rebuilt when it changed.
  const transport = (api as Partial<PolityClient>).transport;
  if (!transport) throw new Error("The governance client has no transport: the web app's API client changed shape.");
  if (cached?.transport !== transport) cached = { transport, client: createClient(GovernanceService, transport) };
  return cached.client;
}

// Governance refusals whose code alone would mislead: a platform that failed is not the Polity server being
// unreachable (both are Unavailable). In plain words with the next step; the code and message under Details.
const PLAIN_WORDS: Record<string, string> = {
  PLATFORM_ERROR: "The plugin's platform did not answer, or refused the request. Check the instance's settings (the platform's address and key), then try again.",
  PLUGIN_FAILED: "The plugin failed on the server. Try again; if it keeps happening, tell the operators (the details below help them).",
  DESTINATION_NOT_ALLOWED: "The server may not send requests to that address (a local or private network). Use the platform's public address.",
  PLUGIN_INVALID_INPUT: "The plugin did not accept what was entered.",
};

export function governanceErrorBox(err: unknown): HTMLElement {
  const { code, reason, message } = describeError(err);
  const plain = PLAIN_WORDS[reason];
  if (!plain) return errorBox(err);
  const text = reason === "PLUGIN_INVALID_INPUT" ? `${plain} ${message}` : plain;
  return h("div", { class: "alert error", role: "alert", "data-testid": "error", "data-reason": reason },
    h("span", {}, text), h("details", {}, h("summary", {}, "Details"), h("strong", { class: "code" }, code), h("span", { class: "reason" }, ` ${reason}`), h("span", {}, `: ${message}`)));
}

/** As errors.ts's attempt, with the governance refusals above in their own words. */
export async function attemptGovernance(slot: HTMLElement, action: () => Promise<unknown>): Promise<boolean> {
  slot.replaceChildren();
  try {
    await action();
    return true;
  } catch (err) {
    slot.replaceChildren(governanceErrorBox(err));
    return false;
  }
}
