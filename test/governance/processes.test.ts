// Plugins, actions and processes through the real server: permissions from the proto, schema errors, a failed
// start leaving nothing, a delayed draw completing on the sweep with a signed callback, and the activity log.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActivityKind } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { ProcessStatus } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import type { PolityClient } from "../../clients/src/core.js";
import { verifySignature } from "../../sys/core/outbound/signature.js";
import type { TestServer } from "../support/server.js";
import { type Receiver, startGovernanceStage, startReceiver } from "./support.js";

let server: TestServer;
let admin: PolityClient;
let member: PolityClient;
let communityId: string;
let receiver: Receiver;

beforeAll(async () => {
  ({ server, admin, member, communityId } = await startGovernanceStage("proc"));
  receiver = await startReceiver();
}, 60_000);
afterAll(async () => {
  await receiver?.close();
  await server?.stop();
});

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

describe("governance plugins", () => {
  it("lists the shipped plugins with their schemas", async () => {
    const { plugins } = await member.governance.listPlugins({});
    expect(plugins.map((p) => p.name)).toEqual(expect.arrayContaining(["discourse", "loomio", "polity", "randomness", "slack", "discord"]));
    const randomness = plugins.find((p) => p.name === "randomness")!;
    expect(randomness.actions.map((a) => a.name)).toContain("randomness.random-int");
    expect(randomness.processes.map((p) => p.name)).toContain("randomness.delayed-stochastic-vote");
  });

  it("enables, runs an action, and refuses what the proto's rules refuse", async () => {
    expect((await failure(member.governance.enablePlugin({ communityId, plugin: "randomness" }))).code).toBe(Code.PermissionDenied);
    const { instance } = await admin.governance.enablePlugin({ communityId, plugin: "randomness" });
    expect(instance?.enabled).toBe(true);
    expect((await failure(admin.governance.enablePlugin({ communityId, plugin: "randomness" }))).code).toBe(Code.AlreadyExists);
    const { result } = await admin.governance.runAction({ communityId, action: "randomness.random-int", parameters: { low: 0, high: 10 } });
    expect(result?.value).toBeGreaterThanOrEqual(0);
    expect(result?.value).toBeLessThan(10);
    expect((await failure(member.governance.runAction({ communityId, action: "randomness.random-int", parameters: { low: 0, high: 10 } }))).code).toBe(Code.PermissionDenied);
    const bad = await failure(admin.governance.runAction({ communityId, action: "randomness.random-int", parameters: { low: "zero" } }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.message).toMatch(/parameters/);
    expect((await failure(admin.governance.runAction({ communityId, action: "loomio.nothing", parameters: {} }))).code).toBe(Code.NotFound);
  });

  it("keeps secrets write-only", async () => {
    const { instance } = await admin.governance.enablePlugin({ communityId, plugin: "discourse", config: { server_url: "https://discourse.example.org", api_key: "key-that-must-not-leak", webhook_secret: "hook-secret-not-to-leak" } });
    expect(instance?.secretsSet.sort()).toEqual(["api_key", "webhook_secret"]);
    const listed = await admin.governance.listCommunityPlugins({ communityId });
    const text = JSON.stringify([listed, instance], (_, v) => (typeof v === "bigint" ? String(v) : v));
    expect(text).not.toContain("must-not-leak");
    expect(text).not.toContain("not-to-leak");
    // An update without the secrets keeps them.
    const { instance: updated } = await admin.governance.updatePlugin({ communityId, instanceId: instance!.id, config: { server_url: "https://forum.example.org" } });
    expect(updated?.secretsSet.sort()).toEqual(["api_key", "webhook_secret"]);
    expect(updated?.config?.server_url).toBe("https://forum.example.org");
  });

  it("takes only http and https URLs for callbacks and subscriptions", async () => {
    expect((await failure(admin.governance.startProcess({ communityId, process: "randomness.delayed-stochastic-vote", input: { options: ["a"], delay: 1 }, callbackUrl: "file:///etc/passwd" }))).code).toBe(Code.InvalidArgument);
    expect((await failure(admin.governance.createSubscription({ communityId, url: "gopher://example.org/events" }))).code).toBe(Code.InvalidArgument);
  });

  it("a start that fails leaves no process behind", async () => {
    await admin.governance.enablePlugin({ communityId, plugin: "polity" });
    const before = (await admin.governance.listProcesses({ communityId })).processes.length;
    const error = await failure(admin.governance.startProcess({ communityId, process: "polity.vote", input: { title: "Too late", options: ["a", "b"], closing_at: "2001-01-01T00:00:00Z" } }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect((await admin.governance.listProcesses({ communityId })).processes.length).toBe(before);
  });

  it("a delayed draw completes on the sweep and calls back, signed", async () => {
    const { secret } = await admin.governance.rotateCallbackSecret({ communityId });
    const { process } = await admin.governance.startProcess({
      communityId, process: "randomness.delayed-stochastic-vote", input: { options: ["north", "south", "east"], delay: 0.01 }, callbackUrl: `${receiver.url}/callback`,
    });
    expect(process?.status).toBe(ProcessStatus.PENDING);
    const delivery = await receiver.waitFor((r) => r.body.includes(process!.id) && r.body.includes("completed"));
    expect(verifySignature(secret, delivery.headers["polity-signature"] as string, delivery.body)).toBe(true);
    const record = JSON.parse(delivery.body);
    expect(record).toMatchObject({ id: process!.id, name: "randomness.delayed-stochastic-vote", status: "completed" });
    expect(["north", "south", "east"]).toContain(record.outcome.winner);
    const { process: done } = await member.governance.getProcess({ communityId, processId: process!.id });
    expect(done?.status).toBe(ProcessStatus.COMPLETED);
    const { deliveries } = await admin.governance.listDeliveries({ communityId });
    expect(deliveries.find((d) => d.processId === process!.id)?.attempts).toBe(1);
  });

  it("retries a callback the driver refused, and replays a delivery on request", async () => {
    receiver.failNext(1, 503);
    const { process } = await admin.governance.startProcess({ communityId, process: "randomness.delayed-stochastic-vote", input: { options: ["x", "y"], delay: 0 }, callbackUrl: `${receiver.url}/retry` });
    await receiver.waitFor((r) => r.body.includes(process!.id) && r.body.includes("completed"), 30_000);
    const delivery = (await admin.governance.listDeliveries({ communityId })).deliveries.find((d) => d.processId === process!.id)!;
    expect(delivery.attempts).toBe(2);
    const before = receiver.received.filter((r) => r.headers["polity-delivery"] === delivery.id).length;
    await admin.governance.replayDelivery({ communityId, deliveryId: delivery.id });
    await receiver.waitFor(() => receiver.received.filter((r) => r.headers["polity-delivery"] === delivery.id).length > before);
  }, 40_000);

  it("runs a Metagov VotingStandard vote as a real poll of the community", async () => {
    const closingAt = new Date(Date.now() + 3_600_000).toISOString();
    const { process } = await admin.governance.startProcess({ communityId, process: "polity.vote", input: { title: "Which day for the market?", options: ["Saturday", "Sunday"], closing_at: closingAt } });
    const pollId = String(process?.outcome?.poll_id);
    const { poll } = await member.voting.getPoll({ communityId, pollId });
    expect(poll?.title).toBe("Which day for the market?");
    const sunday = poll!.options.find((o) => o.label === "Sunday")!.id;
    await member.voting.castBallot({ communityId, pollId, ballot: { choice: { case: "optionId", value: sunday } } });
    const { process: closed } = await admin.governance.closeProcess({ communityId, processId: process!.id });
    expect(closed?.status).toBe(ProcessStatus.COMPLETED);
    expect(closed?.outcome).toMatchObject({ poll_id: pollId, winners: ["Sunday"], votes: { Saturday: 0, Sunday: 1 } });
  });

  it("cancels the pending processes of a plugin it disables, and tells their drivers", async () => {
    const { process } = await admin.governance.startProcess({ communityId, process: "randomness.delayed-stochastic-vote", input: { options: ["a", "b"], delay: 60 }, callbackUrl: `${receiver.url}/cancel` });
    const instance = (await admin.governance.listCommunityPlugins({ communityId })).instances.find((i) => i.plugin === "randomness")!;
    await admin.governance.disablePlugin({ communityId, instanceId: instance.id });
    expect((await admin.governance.getProcess({ communityId, processId: process!.id })).process?.status).toBe(ProcessStatus.CANCELLED);
    const told = await receiver.waitFor((r) => r.body.includes(process!.id) && r.body.includes("cancelled"));
    expect(JSON.parse(told.body).status).toBe("cancelled");
    expect((await failure(admin.governance.runAction({ communityId, action: "randomness.random-int", parameters: { low: 0, high: 2 } }))).code).toBe(Code.FailedPrecondition);
    // Enabling it again brings back the same instance.
    expect((await admin.governance.enablePlugin({ communityId, plugin: "randomness" })).instance?.id).toBe(instance.id);
  });

  it("records plugin changes, action runs and process changes in the activity log", async () => {
    const { entries } = await member.voting.listActivity({ communityId, pageSize: 1000 });
    const kinds = new Set(entries.map((e) => e.kind));
    expect(kinds).toContain(ActivityKind.GOVERNANCE_PLUGIN_CHANGED);
    expect(kinds).toContain(ActivityKind.GOVERNANCE_ACTION_RUN);
    expect(kinds).toContain(ActivityKind.GOVERNANCE_PROCESS_CHANGED);
    expect(entries.map((e) => e.payload).join("\n")).not.toContain("must-not-leak");
  });
});
