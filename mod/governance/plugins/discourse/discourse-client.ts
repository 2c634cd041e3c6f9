// Calls to a Discourse server's HTTP API on behalf of a plugin instance: every request carries the instance's
// Api-Key and Api-Username headers, goes through ctx.fetch (which guards outgoing addresses) and gives up after
// a timeout, and a non-2xx answer becomes a platformError that quotes Discourse's own error messages.
import { platformError, type InstanceContext, type Json, type JsonObject } from "../../sdk/define-plugin.js";

const REQUEST_TIMEOUT_MS = 15_000;

export function discourseServerUrl(config: JsonObject): string {
  return String(config.server_url).replace(/\/+$/, "");
}

export async function discourseRequest(
  ctx: InstanceContext,
  method: "GET" | "POST" | "PUT" | "DELETE",
  route: string,
  body?: { json: JsonObject } | { form: Record<string, string> },
  /** Act as this Discourse user instead of api_username (needs an "All Users" API key). */
  username?: string,
): Promise<JsonObject> {
  const url = `${discourseServerUrl(ctx.config)}/${route}`;
  const headers: Record<string, string> = {
    "Api-Key": String(ctx.config.api_key),
    "Api-Username": username ?? String(ctx.config.api_username),
    Accept: "application/json",
  };
  let payload: string | undefined;
  if (body && "json" in body) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body.json);
  } else if (body) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    payload = new URLSearchParams(body.form).toString();
  }
  let response: Response;
  try {
    response = await ctx.fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw platformError(`Discourse ${method} /${route} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw platformError(`Discourse ${method} /${route} answered ${response.status}: ${describeErrors(text)}`);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as JsonObject;
  } catch {
    throw platformError(`Discourse ${method} /${route} answered ${response.status} with a body that is not JSON`);
  }
}

/** Discourse answers errors as {"errors": ["…"], "error_type": "…"}; anything else is quoted, shortened. */
function describeErrors(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errors?: Json };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) return parsed.errors.map(String).join("; ");
  } catch {
    // not JSON: an HTML error page or a proxy's message
  }
  return text.slice(0, 300) || "(empty body)";
}

/** The post's address as Discourse shows it: /t/{topic slug}/{topic id}/{post number}. */
export function postUrl(config: JsonObject, post: JsonObject): string {
  return `${discourseServerUrl(config)}/t/${String(post.topic_slug)}/${String(post.topic_id)}/${String(post.post_number)}`;
}

export function topicUrl(config: JsonObject, topic: JsonObject): string {
  return `${discourseServerUrl(config)}/t/${String(topic.slug)}/${String(topic.id)}`;
}

/** What Metagov's create-post, create-topic and create-message return. */
export function postReference(config: JsonObject, post: JsonObject): JsonObject {
  return { url: postUrl(config, post), topic_id: post.topic_id as number, post_id: post.id as number };
}
