// Calls to Discord's HTTP API on behalf of a plugin instance: JSON to {api_url}{route} with `Authorization: Bot
// <token>`. Discord answers refusals with {message, code} (and field errors under `errors`), and a rate limit
// with 429 {message, retry_after (seconds), global}; both become platformErrors quoting Discord.
import { platformError, type InstanceContext, type Json, type JsonObject } from "../../sdk/define-plugin.js";

const REQUEST_TIMEOUT_MS = 15_000;

export function discordApiUrl(config: JsonObject): string {
  return String(config.api_url).replace(/\/+$/, "");
}

export interface DiscordRequestOptions {
  /** False for the interaction endpoints: the interaction's token in the path authorizes them, not the bot token. */
  authorized?: boolean;
  /** The route as errors and logs show it, when `route` holds a secret (an interaction token). */
  shownRoute?: string;
}

export async function discordRequest(ctx: InstanceContext, method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", route: string, json?: Json, options: DiscordRequestOptions = {}): Promise<Json> {
  const headers: Record<string, string> = { "User-Agent": "DiscordBot (https://github.com/polity, 1)" };
  if (options.authorized !== false) headers.Authorization = `Bot ${String(ctx.config.bot_token)}`;
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const shown = options.shownRoute ?? route;
  let response: Response;
  try {
    response = await ctx.fetch(`${discordApiUrl(ctx.config)}${route}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw platformError(`Discord ${method} ${shown} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: Json = null;
  try {
    body = text ? (JSON.parse(text) as Json) : null;
  } catch {
    if (response.ok) throw platformError(`Discord ${method} ${shown} answered ${response.status} with a body that is not JSON`);
  }
  if (response.status === 429) {
    const retryAfter = Number((body as JsonObject | null)?.retry_after ?? response.headers.get("retry-after") ?? NaN);
    throw Object.assign(platformError(`Discord ${method} ${shown} is rate limited (429); retry after ${retryAfter} s`), { retryAfterSeconds: retryAfter });
  }
  if (!response.ok) throw platformError(`Discord ${method} ${shown} answered ${response.status}: ${describeError(body, text)}`);
  return body;
}

function describeError(body: Json, text: string): string {
  const error = body as JsonObject | null;
  if (error && typeof error.message === "string") return `${error.message}${error.code !== undefined ? ` (code ${String(error.code)})` : ""}${error.errors ? ` ${JSON.stringify(error.errors).slice(0, 300)}` : ""}`;
  return text.slice(0, 300) || "(empty body)";
}
