// For the slack plugin's tests: a local Slack and a hook receiver standing in for Polity's /api/hooks/slack,
// started before the file's tests and closed after them.
import { afterAll, beforeAll } from "vitest";
import { createSlackFake, type SlackFake } from "../../../../test/fakes/slack-fake.js";
import { createHookReceiver, type HookReceiver } from "../test-support.js";

export const SLACK_BOT_TOKEN = "xoxb-1-right";

export interface SlackStage {
  slack: SlackFake;
  receiver: HookReceiver;
}

/** Registers the file's beforeAll/afterAll; the stage's fields are set once beforeAll has run. */
export function useSlackStage(signingSecret: string): SlackStage {
  const stage = {} as SlackStage;
  beforeAll(async () => {
    stage.slack = await createSlackFake({ botToken: SLACK_BOT_TOKEN, signingSecret });
    stage.receiver = await createHookReceiver("/api/hooks/slack");
  });
  afterAll(async () => {
    await stage.slack?.close();
    await stage.receiver?.close();
  });
  return stage;
}
