// Slack's requests to the app: the Events API (JSON: url_verification, event_callback, app_rate_limited) and
// interactivity (form-encoded, the JSON in a `payload` field). Slack signs both the same way: X-Slack-Signature is
// "v0=" + hex HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body), and a timestamp
// more than five minutes away from now is refused, so a captured request cannot be replayed later.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Json, JsonObject, PluginEvent, WebhookReceiver, WebhookRequest } from "../../sdk/define-plugin.js";

export const SLACK_TIMESTAMP_WINDOW_SECONDS = 5 * 60;

/** Slack's event types as Metagov passes them on (any other event_callback type is passed on too). */
export const slackEvents = ["message", "app_mention", "reaction_added", "reaction_removed", "member_joined_channel", "member_left_channel", "channel_created", "team_join", "pin_added", "pin_removed"];

export function isValidSlackSignature(request: WebhookRequest, secret: string, nowSeconds = Date.now() / 1000): boolean {
  const signature = request.headers["x-slack-signature"];
  const timestamp = request.headers["x-slack-request-timestamp"];
  if (!secret || !signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_TIMESTAMP_WINDOW_SECONDS) return false;
  const hmac = createHmac("sha256", secret).update(`v0:${timestamp}:`).update(request.rawBody).digest("hex");
  const expected = Buffer.from(`v0=${hmac}`, "utf8");
  const given = Buffer.from(signature.toLowerCase(), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The request's JSON: the Events API body, or an interactivity form's `payload`, or a slash command's form fields. */
export function slackPayload(request: WebhookRequest): JsonObject | undefined {
  const text = request.rawBody.toString("utf8");
  const contentType = request.headers["content-type"] ?? "";
  try {
    if (contentType.includes("application/x-www-form-urlencoded")) {
      const form = new URLSearchParams(text);
      const payload = form.get("payload");
      return payload !== null ? asObject(JSON.parse(payload)) : Object.fromEntries(form);
    }
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The workspace: team_id on events and slash commands, team.id on interactivity payloads. */
export function slackTeamId(payload: JsonObject | undefined): string | undefined {
  if (!payload) return undefined;
  if (typeof payload.team_id === "string" && payload.team_id) return payload.team_id;
  const team = asObject(payload.team);
  return typeof team?.id === "string" && team.id ? team.id : undefined;
}

export const slackWebhook: WebhookReceiver = {
  verify: (request, config) => isValidSlackSignature(request, typeof config.signing_secret === "string" ? config.signing_secret : ""),
  deliveryId(request) {
    const payload = slackPayload(request);
    return typeof payload?.event_id === "string" && payload.event_id ? payload.event_id : undefined;
  },
  platformId: (request) => slackTeamId(slackPayload(request)),
  handshake(request) {
    const payload = slackPayload(request);
    // Slack accepts the challenge echoed as JSON {challenge}; the request URL is verified once it sees it.
    if (payload?.type === "url_verification" && typeof payload.challenge === "string") return { status: 200, body: { challenge: payload.challenge } };
    return undefined;
  },
  async handle(ctx, delivery) {
    const payload = slackPayload(delivery);
    if (payload?.type !== "event_callback") return [];
    // An app installed in several workspaces signs them all with one secret: keep only this instance's team.
    if (ctx.config.team_id && payload.team_id !== ctx.config.team_id) return [];
    const event = asObject(payload.event);
    if (!event || typeof event.type !== "string") return [];
    return [eventOf(event, typeof ctx.config.bot_user_id === "string" ? ctx.config.bot_user_id : undefined)];
  },
};

/** As Metagov: the event's type becomes the event name, its user the initiator, the rest the data. */
function eventOf(event: JsonObject, botUserId: string | undefined): PluginEvent {
  const { type, user, ...data } = event;
  const userId = typeof user === "string" ? user : null;
  return { type: String(type), data, initiator: { user_id: userId, provider: "slack", is_metagov_bot: userId !== null && userId === botUserId } };
}

function asObject(value: Json | unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}
