// For the github plugin's tests: a GitHub App (a fresh RSA key pair), the local GitHub fake that knows it, and
// instance contexts configured to act as one of its installations, with every outgoing call recorded.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { InstanceContext, Json, JsonObject } from "../../sdk/define-plugin.js";
import { testInstanceContext } from "../../sdk/test-support.js";
import { createGitHubFake, generateAppKeyPair, type GitHubFake } from "../../../../test/fakes/github-fake.js";
import { createGitHubPlugin } from "./github-plugin.js";

export const APP_ID = 4242;
export const WEBHOOK_SECRET = "github-app-webhook-secret";
export const INSTALLATIONS = [{ id: 7001, account: "octo-org" }, { id: 7002, account: "octo-org" }, { id: 7003, account: "other-org" }];

export interface GitHubStage {
  github: GitHubFake;
  privateKey: string;
  /** Every URL the plugin fetched through ctx.fetch, in order. */
  fetched: string[];
  /** `config` overrides the stage's; a field set to undefined is left out. */
  ctx(options?: { installationId?: number; config?: Record<string, Json | undefined>; now?: () => Date }): InstanceContext;
}

export async function startGitHubStage(): Promise<GitHubStage> {
  const { privateKey, publicKey } = generateAppKeyPair();
  const github = await createGitHubFake({ appId: APP_ID, publicKey, installations: INSTALLATIONS, webhookSecret: WEBHOOK_SECRET });
  const fetched: string[] = [];
  const plugin = createGitHubPlugin();
  return {
    github,
    privateKey,
    fetched,
    ctx(options = {}) {
      const merged = { app_id: APP_ID, private_key: privateKey, webhook_secret: WEBHOOK_SECRET, api_url: github.url, owner: "octo-org", ...options.config };
      const config = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)) as JsonObject;
      const ctx = testInstanceContext(plugin, { config, platformId: String(options.installationId ?? INSTALLATIONS[0].id), now: options.now });
      return { ...ctx, fetch: (input, init) => { fetched.push(String(input)); return globalThis.fetch(input, init); } };
    },
  };
}

interface ExampleDefinition { name: string; examples: JsonObject[] }

let corpus: ExampleDefinition[] | undefined;

/**
 * The `n`th example of `event` (with `action`, if given) from Octokit's corpus of real github.com deliveries.
 * Many were recorded from repository webhooks and lack `installation`; a GitHub App's deliveries always carry
 * it, so `installationId` adds it to those.
 */
export function examplePayload(event: string, action?: string, options: { n?: number; installationId?: number } = {}): JsonObject {
  corpus ??= JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8")) as ExampleDefinition[];
  const examples = corpus.find((definition) => definition.name === event)?.examples.filter((example) => action === undefined || example.action === action) ?? [];
  const example = examples[options.n ?? 0];
  if (!example) throw new Error(`no ${event}${action ? `.${action}` : ""} example in @octokit/webhooks-examples`);
  const payload = structuredClone(example);
  if (options.installationId !== undefined && payload.installation === undefined) payload.installation = { id: options.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u" };
  return payload;
}

/**
 * The corpus has no issues.closed example (@octokit/webhooks-examples 7.6.1, the latest on 2026-11-30: its schema
 * lists the action, none of its examples has it, nor do the GHES ones): GitHub's issues.closed is the
 * issues.reopened delivery of the same issue with action "closed", state "closed", closed_at and state_reason set,
 * which is what this builds.
 */
export function closedIssuePayload(installationId?: number): JsonObject {
  const payload = examplePayload("issues", "reopened", { installationId });
  const issue = payload.issue as JsonObject;
  payload.action = "closed";
  issue.state = "closed";
  issue.closed_at = issue.updated_at;
  issue.state_reason = "completed";
  if (installationId !== undefined) payload.installation = { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u" };
  return payload;
}
