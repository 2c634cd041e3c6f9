// The github plugin: a GitHub App, compatible with Metagov's github plugin. It acts as one installation of the
// app (the instance's platform id is the installation id), runs issue votes by reactions or comments, and
// turns the app's signed webhooks into events named "<action> <event>" (e.g. "closed issues").
// Set up: create a GitHub App with a webhook URL of https://<polity>/api/hooks/github and a webhook secret,
// generate its private key, install it on an account, and enable the plugin with the installation id as
// platform id and the app id, private key and webhook secret as config.
import { definePlugin, type JsonObject, type PluginDefinition } from "../../sdk/define-plugin.js";
import { githubActions } from "./github-actions.js";
import { DEFAULT_API_URL } from "./github-client.js";
import { issueCommentVote } from "./github-comment-vote.js";
import { githubEventTypes } from "./github-events.js";
import { issueReactVote } from "./github-react-vote.js";
import { githubWebhook } from "./github-webhook.js";

const config: JsonObject = {
  type: "object",
  additionalProperties: false,
  properties: {
    app_id: { type: ["integer", "string"], pattern: "^[1-9][0-9]*$", minimum: 1, description: "the GitHub App's id (its settings page, 'App ID')" },
    private_key: { type: "string", pattern: "-----BEGIN (RSA )?PRIVATE KEY-----", writeOnly: true, description: "the app's private key (PEM), as GitHub generated it" },
    webhook_secret: { type: "string", minLength: 12, writeOnly: true, description: "the app's webhook secret; deliveries signed otherwise are refused" },
    previous_webhook_secret: { type: "string", minLength: 12, writeOnly: true, description: "while rotating the webhook secret: the old one, accepted until previous_secret_valid_until" },
    previous_secret_valid_until: { type: "string", format: "date-time", description: "when previous_webhook_secret stops being accepted" },
    installation_id: { type: ["integer", "string"], pattern: "^[1-9][0-9]*$", minimum: 1, description: "the installation to act as; the instance's platform id when left out (they must agree when both are set)" },
    owner: { type: "string", minLength: 1, pattern: "^[A-Za-z0-9_.-]+$", description: "the account the app is installed on: the default owner of repositories in actions and votes" },
    api_url: { type: "string", pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$", default: DEFAULT_API_URL, description: "GitHub's REST API (GitHub Enterprise Server: https://<host>/api/v3)" },
  },
  required: ["app_id", "private_key", "webhook_secret"],
  dependencies: { previous_webhook_secret: ["previous_secret_valid_until"] },
};

export function createGitHubPlugin(): PluginDefinition {
  return definePlugin({
    name: "github",
    platformIdFrom: "installation_id",
    description: "GitHub (as a GitHub App): create issues, call any REST route, run votes by issue reactions or comments, and receive the app's webhooks as events",
    authType: "api_key",
    config,
    actions: githubActions,
    processes: { "issue-react-vote": issueReactVote, "issue-comment-vote": issueCommentVote },
    events: githubEventTypes,
    webhook: githubWebhook,
  });
}
