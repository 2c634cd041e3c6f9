// The github plugin's actions, as Metagov's: create-issue, get-installation and `method` (any REST route the
// app's permissions allow). Metagov's names are accepted too (repo_name for repo; a route's parameters at the
// top level), and the owner defaults to the instance's configured owner, as Metagov kept it in state.
import { invalidInput, type ActionDefinition, type InstanceContext, type Json, type JsonObject } from "../../sdk/define-plugin.js";
import { githubRequestFor, installationIdOf } from "./github-client.js";

const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"];

/** The repository named by {owner, repo} (or Metagov's repo_name), the owner defaulting to config.owner. */
export function repositoryOf(ctx: InstanceContext, parameters: JsonObject): { owner: string; repo: string } {
  const owner = String(parameters.owner ?? ctx.config.owner ?? "");
  const repo = String(parameters.repo ?? parameters.repo_name ?? "");
  if (!owner) throw invalidInput("owner: required (or set owner in the instance's config)");
  if (!repo) throw invalidInput("repo: required");
  return { owner, repo };
}

export const repositoryProperties: JsonObject = {
  owner: { type: "string", minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9_.-]+$", description: "the user or organisation owning the repository; config.owner when left out" },
  repo: { type: "string", minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9_.-]+$", description: "the repository's name" },
  repo_name: { type: "string", minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9_.-]+$", description: "Metagov's name for repo" },
};

export async function createIssue(ctx: InstanceContext, parameters: { owner?: string; repo?: string; repo_name?: string; title: string; body?: string; labels?: string[]; assignees?: string[] }): Promise<JsonObject> {
  const { owner, repo } = repositoryOf(ctx, parameters as JsonObject);
  const { title, body, labels, assignees } = parameters;
  return (await githubRequestFor(ctx)("POST /repos/{owner}/{repo}/issues", { owner, repo, title, body, labels, assignees })) as JsonObject;
}

const createIssueAction: ActionDefinition = {
  description: "Create an issue in a repository the app is installed on",
  input: {
    type: "object",
    additionalProperties: false,
    properties: {
      ...repositoryProperties,
      title: { type: "string", minLength: 1, maxLength: 256 },
      body: { type: "string", maxLength: 65536 },
      labels: { type: "array", items: { type: "string", minLength: 1 }, maxItems: 100 },
      assignees: { type: "array", items: { type: "string", minLength: 1 }, maxItems: 10 },
    },
    required: ["title"],
  },
  output: { type: "object", properties: { number: { type: "integer" }, html_url: { type: "string" } }, required: ["number"] },
  run: async (ctx, parameters) => createIssue(ctx, parameters as { title: string }),
};

const getInstallation: ActionDefinition = {
  description: "Get information about this GitHub App installation (account, permissions, events)",
  input: { type: "object", additionalProperties: false, properties: {} },
  output: { type: "object", properties: { id: { type: "integer" }, account: { type: "object" } }, required: ["id"] },
  run: async (ctx) => githubRequestFor(ctx)("GET /app/installations/{installation_id}", { installation_id: installationIdOf(ctx) }),
};

/**
 * "GET /repos/{owner}/{repo}/issues" or "/repos/…" with `method`. Only paths on the API host: a full URL would
 * send the installation token elsewhere.
 */
function methodAndPath(route: string, method: string | undefined): { method: string; path: string } {
  const match = /^(?:([A-Za-z]+)\s+)?(\/\S*)$/.exec(route.trim());
  if (!match) throw invalidInput("route: expected a path such as \"GET /repos/{owner}/{repo}/issues\"");
  const chosen = (match[1] ?? method ?? "GET").toUpperCase();
  if (!METHODS.includes(chosen)) throw invalidInput(`method: one of ${METHODS.join(", ")}`);
  if (method && match[1] && method.toUpperCase() !== chosen) throw invalidInput("method: differs from the method in route");
  const path = match[2];
  if (path.startsWith("//") || path.split(/[/?]/).some((segment) => segment === "..")) throw invalidInput("route: must be a path on the GitHub API");
  return { method: chosen, path };
}

const method: ActionDefinition = {
  description: "Perform any GitHub REST method the app's permissions allow, e.g. {route: \"GET /repos/{owner}/{repo}/issues\", parameters: {repo: \"x\", state: \"open\"}}",
  input: {
    type: "object",
    properties: {
      method: { type: "string", enum: [...METHODS, ...METHODS.map((m) => m.toLowerCase())] },
      route: { type: "string", minLength: 1, maxLength: 500 },
      parameters: { type: "object", description: "the route's {placeholders}, query parameters (GET) or body fields" },
    },
    required: ["route"],
  },
  async run(ctx, input) {
    const { method: given, route, parameters, ...metagovStyle } = input;
    const { method: chosen, path } = methodAndPath(String(route), given as string | undefined);
    // As Metagov: {owner} and {installation_id} in the route are filled from the instance unless the caller
    // names them (and only when the route has them, or they would go out as query or body fields).
    const instanceValues: JsonObject = { installation_id: installationIdOf(ctx), ...(ctx.config.owner ? { owner: ctx.config.owner } : {}) };
    const filled = Object.fromEntries(Object.entries(instanceValues).filter(([name]) => path.includes(`{${name}}`)));
    const used = { ...filled, ...metagovStyle, ...((parameters ?? {}) as JsonObject) };
    return (await githubRequestFor(ctx)(`${chosen} ${path}`, used)) as Json;
  },
};

export const githubActions: Record<string, ActionDefinition> = {
  "create-issue": createIssueAction,
  "get-installation": getInstallation,
  method,
};
