// Calls to Slack's Web API on behalf of a plugin instance. Every method is a POST to {api_url}/{method} with the
// bot token as a Bearer header and the arguments form-encoded, which every Web API method accepts (JSON bodies
// are refused by the read methods such as reactions.get); list and object arguments such as `blocks` are sent as
// JSON strings, as Slack expects. Slack answers HTTP 200 with {ok: false, error} for refusals and 429 with
// Retry-After when rate limited; both become platformErrors quoting Slack.
import { platformError, type InstanceContext, type Json, type JsonObject } from "../../sdk/define-plugin.js";

const REQUEST_TIMEOUT_MS = 15_000;

export function slackApiUrl(config: JsonObject): string {
  return String(config.api_url).replace(/\/+$/, "");
}

export async function slackRequest(ctx: InstanceContext, method: string, args: JsonObject = {}): Promise<JsonObject> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(args)) {
    if (value === null || value === undefined) continue;
    form.set(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  let response: Response;
  try {
    response = await ctx.fetch(`${slackApiUrl(ctx.config)}/${method}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${String(ctx.config.bot_token)}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw platformError(`Slack ${method} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (response.status === 429) {
    throw Object.assign(platformError(`Slack ${method} is rate limited (429); retry after ${response.headers.get("retry-after") ?? "?"} s`), { retryAfterSeconds: Number(response.headers.get("retry-after") ?? NaN) });
  }
  let body: JsonObject;
  try {
    body = JSON.parse(text) as JsonObject;
  } catch {
    throw platformError(`Slack ${method} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok || body.ok !== true) throw platformError(`Slack ${method} answered ${response.status}: ${describeError(body)}`);
  return body;
}

function describeError(body: JsonObject): string {
  const error = typeof body.error === "string" ? body.error : "unknown error";
  const detail: Json | undefined = (body.response_metadata as JsonObject | undefined)?.messages;
  return Array.isArray(detail) && detail.length > 0 ? `${error} (${detail.map(String).join("; ")})` : error;
}
