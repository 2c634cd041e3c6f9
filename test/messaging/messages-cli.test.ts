// `polity messages …` in-process against a real server on PostgreSQL (registered by the program): send with an
// idempotency key, list, show with history and attempts, cancel, failed, retry.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { startMessagesStage, until, type MessagesStage } from "./messages-stage.js";
import { inProcessPolity } from "../support/cli-in-process.js";

const home = mkdtempSync(join(tmpdir(), "polity-messages-cli-"));
const ORG = "msgcliorg-org";
let stage: MessagesStage;

const { polity, ok } = inProcessPolity(home, () => stage.server.url);

beforeAll(async () => {
  stage = await startMessagesStage("msgcliorg", { POLITY_MESSAGING_ATTEMPTS_PER_PROVIDER: "1" });
  await ok(["login", "--email", "msgcliorg-admin@example.org", "--password-stdin"], "a long admin password\n");
}, 60_000);
afterAll(async () => {
  await stage?.stop();
});

describe("polity messages", () => {
  it("sends, lists, shows with history, cancels, lists dead letters and retries them", async () => {
    const contactId = await stage.contact("Cli Person", { email: "cli-bounce@example.org" });
    const sent = JSON.parse(await ok(["messages", "send", "hello from the CLI", "--org", ORG, "--contact", contactId, "--idempotency-key", "cli-1", "--json"]));
    expect(sent.created).toBe(true);
    const again = await ok(["messages", "send", "hello again", "--org", ORG, "--contact", contactId, "--idempotency-key", "cli-1"]);
    expect(again).toContain(`Already sent with this key: ${sent.message.id}`);
    await until(() => stage.messages.getMessage({ orgId: stage.orgId, messageId: sent.message.id }), (r) => r.message!.state === MessageState.SENT);

    const show = await ok(["messages", "show", sent.message.id.slice(0, 8), "--org", ORG]);
    expect(show).toMatch(/History[\s\S]*pending[\s\S]*sending[\s\S]*sent/);
    expect(show).toMatch(/Attempts[\s\S]*sent/);
    expect(await ok(["messages", "list", "--org", ORG, "--contact", contactId])).toContain("hello from the CLI");

    const later = JSON.parse(await ok(["messages", "send", "later", "--org", ORG, "--contact", contactId, "--at", new Date(Date.now() + 3_600_000).toISOString(), "--json"]));
    expect(await ok(["messages", "cancel", later.message.id, "--org", ORG])).toContain("Cancelled");
    const refused = await polity(["messages", "cancel", later.message.id, "--org", ORG]);
    expect(refused.code).not.toBe(0);

    stage.sms.script({ status: 400, body: { code: 21211, message: "invalid number" } });
    stage.smtp.reject("cli-bounce@example.org", 550, 1);
    const doomed = JSON.parse(await ok(["messages", "send", "doomed", "--org", ORG, "--contact", contactId, "--json"]));
    await until(() => stage.messages.getMessage({ orgId: stage.orgId, messageId: doomed.message.id }), (r) => r.message!.state === MessageState.FAILED);
    const failed = await ok(["messages", "failed", "--org", ORG]);
    expect(failed).toContain(doomed.message.id.slice(0, 8));
    expect(failed).toMatch(/21211/);
    expect(await ok(["messages", "retry", doomed.message.id, "--org", ORG])).toContain("Queued again");
    await until(() => stage.messages.getMessage({ orgId: stage.orgId, messageId: doomed.message.id }), (r) => r.message!.state === MessageState.SENT);

    const usage = await polity(["messages", "send", "x", "--org", ORG]);
    expect(usage.stderr).toMatch(/--contact/);
  }, 60_000);
});
