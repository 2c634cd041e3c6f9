// The consumer when the identity service cannot answer: sys down is retried, and an event that keeps failing is
// applied as if nobody were registered (the ticket is kept, nothing credited) so the stream moves on; a mod tier
// without its service credential is treated as nobody registered at once; the next reconciliation credits.
import { Code } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiError } from "../../../sys/core/errors.js";
import { examplePayload } from "../../governance/plugins/github/test-support.js";
import type { JsonObject } from "../../governance/sdk/define-plugin.js";
import { resettleUncredited } from "../reconcile/reconcile.js";
import { type ContributionsStage, startContributionsStage } from "../test-support.js";
import { cursorOf, MAX_ATTEMPTS } from "./consume.js";

const FORM = "### Organisation Name\n\nCoast\n\n### Product\n\nHarbour\n\n### Domain\n\nCivic\n\n### Tech Skills Needed\n\nGo\n\n### Mentor(s)\n\n@m\n\n### Complexity\n\nMedium\n\n### Category\n\nBackend\n";

function closedIssue(number: number, assignee: { id: number; login: string }): JsonObject {
  const payload = examplePayload("issues", "reopened");
  Object.assign(payload.issue as JsonObject, {
    id: 500_000 + number, number, state: "closed", state_reason: "completed", assignee, assignees: [assignee],
    labels: [{ name: "C4GT Bounty" }], body: FORM, updated_at: "2026-11-20T10:00:00Z", closed_at: "2026-11-20T10:00:00Z",
  });
  payload.action = "closed";
  return payload;
}

describe("consumer when identities cannot be read", () => {
  let stage: ContributionsStage;
  beforeAll(async () => {
    stage = await startContributionsStage("pglite", "contrib_consume");
  }, 60_000);
  afterAll(async () => {
    await stage?.close();
  });
  const ledger = async () => (await stage.client.listLedger({ communityId: stage.communityId })).entries;
  const tickets = async () => (await stage.client.listTickets({ communityId: stage.communityId })).tickets;
  const deps = () => ({ db: stage.db, logger: pino({ level: "silent" }), governance: stage.governance, identity: () => stage.identity });

  it("retries while sys is down, then keeps the ticket uncredited and moves on; reconciliation credits once sys answers", async () => {
    const person = { id: 6_100_001, login: "patient" };
    const account = stage.identity.link(person.id);
    stage.identity.failWith(apiError(Code.Unavailable, "SYS_UNAVAILABLE", "sys is down"));
    await stage.deliver("closed issues", closedIssue(1, person));
    await stage.drain();
    // Not applied while people cannot be resolved…
    expect(await tickets()).toEqual([]);
    expect(await cursorOf(stage.db.em(), stage.communityId)).toBe(0);
    // …until it has failed MAX_ATTEMPTS times (each pass tries once; a wake-up may add passes).
    for (let pass = 0; pass < MAX_ATTEMPTS && (await tickets()).length === 0; pass++) await stage.drain();
    expect((await tickets()).map((t) => [t.number, t.assigneeLogin, t.assigneeAccountId, t.points])).toEqual([[1, "patient", "", 0]]);
    expect(await ledger()).toEqual([]);
    expect(await cursorOf(stage.db.em(), stage.communityId)).toBe(1);

    stage.identity.failWith(undefined);
    expect(await resettleUncredited(deps(), stage.communityId)).toBe(1);
    expect((await ledger()).map((e) => [e.accountId, e.points])).toEqual([[account, 20]]);
  });

  it("takes a missing service credential for nobody registered at once", async () => {
    const person = { id: 6_100_002, login: "unconfigured" };
    stage.identity.link(person.id);
    stage.identity.failWith(apiError(Code.Unavailable, "IDENTITY_CREDENTIALS_MISSING", "no credential"));
    await stage.deliver("closed issues", closedIssue(2, person));
    await stage.drain();
    expect((await tickets()).find((t) => t.number === 2)).toMatchObject({ assigneeLogin: "unconfigured", assigneeAccountId: "", points: 0 });
    stage.identity.failWith(undefined);
    expect(await resettleUncredited(deps(), stage.communityId)).toBe(1);
    expect(await resettleUncredited(deps(), stage.communityId)).toBe(0);
  });
});
