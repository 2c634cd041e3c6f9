// The provider plugins Polity ships, in the order they are listed.
import type { ProviderDefinition } from "../sdk/define-provider.js";
import { discordProvider } from "./discord.js";
import { emailProvider } from "./email.js";
import { slackProvider } from "./slack.js";
import { smsProvider } from "./sms.js";
import { telegramProvider } from "./telegram.js";
import { webhookProvider } from "./webhook.js";

export function shippedProviders(): ProviderDefinition[] {
  return [emailProvider, smsProvider, telegramProvider, webhookProvider, slackProvider, discordProvider];
}
