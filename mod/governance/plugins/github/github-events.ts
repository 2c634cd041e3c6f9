// The GitHub webhook events the plugin turns into Polity events, named as Metagov names them: "<action> <event>"
// (e.g. "closed issues", "opened pull_request"), or the bare event name for events without an action ("push").
// Anything else (ping, events or actions not listed here) is accepted and produces nothing.
import type { Json, JsonObject, PluginEvent } from "../../sdk/define-plugin.js";

/** event → its actions ([] for events GitHub sends without one). */
const KNOWN: Record<string, string[]> = {
  issues: ["opened", "edited", "deleted", "closed", "reopened", "assigned", "unassigned", "labeled", "unlabeled", "milestoned", "demilestoned", "locked", "unlocked", "pinned", "unpinned", "transferred"],
  issue_comment: ["created", "edited", "deleted"],
  pull_request: ["opened", "edited", "closed", "reopened", "assigned", "unassigned", "labeled", "unlabeled", "synchronize", "ready_for_review", "converted_to_draft", "review_requested", "review_request_removed", "locked", "unlocked", "auto_merge_enabled", "auto_merge_disabled", "enqueued", "dequeued"],
  pull_request_review: ["submitted", "edited", "dismissed"],
  pull_request_review_comment: ["created", "edited", "deleted"],
  push: [],
  create: [],
  delete: [],
  fork: [],
  installation: ["created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"],
  installation_repositories: ["added", "removed"],
  label: ["created", "edited", "deleted"],
  milestone: ["created", "opened", "closed", "edited", "deleted"],
  member: ["added", "edited", "removed"],
  repository: ["created", "deleted", "archived", "unarchived", "edited", "renamed", "transferred", "publicized", "privatized"],
  release: ["published", "unpublished", "created", "edited", "deleted", "prereleased", "released"],
  discussion: ["created", "edited", "deleted", "answered", "unanswered", "labeled", "unlabeled", "locked", "unlocked", "pinned", "unpinned", "transferred", "category_changed"],
  discussion_comment: ["created", "edited", "deleted"],
  star: ["created", "deleted"],
  watch: ["started"],
};

export const githubEventTypes: string[] = Object.entries(KNOWN).flatMap(([event, actions]) => (actions.length ? actions.map((action) => `${action} ${event}`) : [event]));

/** Longer strings (issue and comment bodies reach 65,536 characters) are cut to this. */
const MAX_STRING = 8_000;
/** Longer lists (an installation's repositories, a push's commits) are cut to this. */
const MAX_ITEMS = 100;

/** The Polity event type of a delivery, or undefined when it is not one the plugin reports. */
export function githubEventType(event: string | undefined, payload: JsonObject): string | undefined {
  if (!event || !Object.hasOwn(KNOWN, event)) return undefined;
  const actions = KNOWN[event];
  if (actions.length === 0) return event;
  const action = payload.action;
  return typeof action === "string" && actions.includes(action) ? `${action} ${event}` : undefined;
}

export function githubEvent(event: string | undefined, payload: JsonObject): PluginEvent | undefined {
  const type = githubEventType(event, payload);
  if (!type) return undefined;
  const trimmedPaths: string[] = [];
  const data = trimmed(payload, "", trimmedPaths) as JsonObject;
  if (trimmedPaths.length > 0) data._polity_trimmed = trimmedPaths;
  const sender = payload.sender;
  const initiator = isObject(sender) ? { user_id: sender.id ?? null, username: sender.login ?? null, provider: "github" } : undefined;
  return { type, data, ...(initiator ? { initiator } : {}) };
}

/** The payload with over-long strings and lists cut, and the paths of what was cut (e.g. "issue.body"). */
function trimmed(value: Json, path: string, cut: string[]): Json {
  if (typeof value === "string" && value.length > MAX_STRING) {
    cut.push(path);
    return `${value.slice(0, MAX_STRING)}… [${value.length - MAX_STRING} more characters]`;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) cut.push(path);
    return value.slice(0, MAX_ITEMS).map((item, i) => trimmed(item, `${path}[${i}]`, cut));
  }
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, trimmed(item, path ? `${path}.${key}` : key, cut)]));
  return value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
