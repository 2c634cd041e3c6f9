// The plugins Polity ships. The composition root passes this list (or its own) to createGovernanceModule.
import type { PluginDefinition } from "../sdk/define-plugin.js";
import { createDiscordPlugin } from "./discord/discord-plugin.js";
import { createDiscoursePlugin } from "./discourse/discourse-plugin.js";
import { createGitHubPlugin } from "./github/github-plugin.js";
import { createLoomioPlugin } from "./loomio/loomio-plugin.js";
import { createPolityPlugin } from "./polity/polity-plugin.js";
import { createRandomnessPlugin } from "./randomness/randomness-plugin.js";
import { createSlackPlugin } from "./slack/slack-plugin.js";

export function createShippedPlugins(): PluginDefinition[] {
  return [createRandomnessPlugin(), createPolityPlugin(), createLoomioPlugin(), createDiscoursePlugin(), createGitHubPlugin(), createSlackPlugin(), createDiscordPlugin()];
}
