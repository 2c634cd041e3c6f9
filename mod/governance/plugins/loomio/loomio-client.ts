// Calls to Loomio's bot API (/api/b1 with a group's API key, as Metagov uses it, or /api/b2 with a user's key):
// the key travels as the `api_key` parameter, every call goes through ctx.fetch with a timeout, and a non-2xx
// answer becomes a platformError quoting Loomio ({"errors": {field: [...]}} or {"exception": "…"}).
import { platformError, type InstanceContext, type Json, type JsonObject } from "../../sdk/define-plugin.js";

const REQUEST_TIMEOUT_MS = 15_000;

export function loomioBaseUrl(config: JsonObject): string {
  return String(config.base_url).replace(/\/+$/, "");
}

export async function loomioRequest(ctx: InstanceContext, method: "GET" | "POST", resource: string, body?: JsonObject): Promise<JsonObject> {
  const version = String(ctx.config.api_version);
  const address = new URL(`${loomioBaseUrl(ctx.config)}/api/${version}/${resource}`);
  const init: RequestInit = { method, headers: { Accept: "application/json" }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  if (method === "GET") address.searchParams.set("api_key", String(ctx.config.api_key));
  else init.body = JSON.stringify({ ...body, api_key: String(ctx.config.api_key) });
  if (init.body) (init.headers as Record<string, string>)["Content-Type"] = "application/json";
  // The key is in the URL of a GET: never quote the URL in an error, only the resource.
  const what = `Loomio ${method} /api/${version}/${resource}`;
  let response: Response;
  try {
    response = await ctx.fetch(address, init);
  } catch (error) {
    throw platformError(`${what} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw platformError(`${what} answered ${response.status}: ${describeErrors(text)}`);
  let parsed: JsonObject;
  try {
    parsed = JSON.parse(text) as JsonObject;
  } catch {
    throw platformError(`${what} answered ${response.status} with a body that is not JSON`);
  }
  if (parsed.errors && Object.keys(parsed.errors).length > 0) throw platformError(`${what}: ${describeErrors(text)}`);
  return parsed;
}

function describeErrors(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errors?: Json; exception?: Json };
    if (typeof parsed.exception === "string") return parsed.exception;
    if (parsed.errors && typeof parsed.errors === "object" && !Array.isArray(parsed.errors)) {
      return Object.entries(parsed.errors).map(([field, problems]) => `${field} ${Array.isArray(problems) ? problems.join(", ") : String(problems)}`).join("; ");
    }
  } catch {
    // not JSON: an HTML error page or a proxy's message
  }
  return text.slice(0, 300) || "(empty body)";
}

/** The poll's page on Loomio, /p/{key}; webhook URLs of the poll's events start with it. */
export function pollUrl(config: JsonObject, key: string): string {
  return `${loomioBaseUrl(config)}/p/${key}`;
}
