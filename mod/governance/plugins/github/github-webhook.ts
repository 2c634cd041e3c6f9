// GitHub App webhooks. GitHub signs each delivery with the app's webhook secret (X-Hub-Signature-256:
// sha256=<hex HMAC-SHA256 of the raw body>), numbers it (X-GitHub-Delivery, repeated on redelivery) and names
// its event (X-GitHub-Event). One app endpoint serves every installation: the payload's installation.id picks
// the instance. While the secret is being rotated, the previous one is accepted until previous_secret_valid_until.
import { verify } from "@octokit/webhooks-methods";
import type { JsonObject, WebhookReceiver, WebhookRequest } from "../../sdk/define-plugin.js";
import { githubEvent, isObject } from "./github-events.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as text, or undefined when it is not valid UTF-8 (GitHub sends UTF-8 JSON; anything else is refused). */
function bodyText(request: WebhookRequest): string | undefined {
  try {
    // A fatal decoder never replaces bytes, so the text re-encodes to exactly the bytes received.
    return strictUtf8.decode(request.rawBody);
  } catch {
    return undefined;
  }
}

/** The secrets a delivery may be signed with now: the current one, and the previous one inside its window. */
export function acceptedSecrets(config: JsonObject, now: Date): string[] {
  const secrets: string[] = [];
  if (typeof config.webhook_secret === "string" && config.webhook_secret) secrets.push(config.webhook_secret);
  const previous = config.previous_webhook_secret;
  const until = typeof config.previous_secret_valid_until === "string" ? Date.parse(config.previous_secret_valid_until) : NaN;
  if (typeof previous === "string" && previous && Number.isFinite(until) && now.getTime() < until) secrets.push(previous);
  return secrets;
}

export async function isValidGitHubSignature(request: WebhookRequest, config: JsonObject, now = new Date()): Promise<boolean> {
  const signature = request.headers["x-hub-signature-256"];
  const text = bodyText(request);
  if (!signature || !signature.startsWith("sha256=") || !text) return false;
  for (const secret of acceptedSecrets(config, now)) if (await verify(secret, text, signature)) return true;
  return false;
}

function parsed(request: WebhookRequest): JsonObject | undefined {
  try {
    const body: unknown = JSON.parse(request.rawBody.toString("utf8"));
    return isObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

export const githubWebhook: WebhookReceiver = {
  verify: (request, config) => isValidGitHubSignature(request, config),
  deliveryId: (request) => request.headers["x-github-delivery"] || undefined,
  // GitHub pings a new app's hook with no installation: answered once a configured secret verifies it.
  handshake: (request) => (request.headers["x-github-event"] === "ping" ? { status: 200, body: { pong: true } } : undefined),
  // Read before verification only to find the instance whose secret then verifies the bytes.
  platformId(request) {
    const installation = parsed(request)?.installation;
    const id = isObject(installation) ? installation.id : undefined;
    return typeof id === "number" || (typeof id === "string" && id) ? String(id) : undefined;
  },
  async handle(ctx, delivery) {
    if (!isObject(delivery.body)) return [];
    // The app's secret signs every installation's deliveries: one for another installation is not this instance's.
    const installation = delivery.body.installation;
    const ours = ctx.platformId || (ctx.config.installation_id === undefined ? "" : String(ctx.config.installation_id));
    if (ours && isObject(installation) && String(installation.id) !== ours) return [];
    const event = githubEvent(delivery.headers["x-github-event"], delivery.body);
    return event ? [event] : [];
  },
};
