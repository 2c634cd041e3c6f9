// The consumer and the ledger on PGlite and PostgreSQL, fed real GitHub deliveries (Octokit's corpus) through
// governance's event stream: a closed, labelled issue credits its registered assignee once — whatever is
// replayed, redelivered or reopened and closed again — an unregistered assignee is credited when they link
// (at the next reconciliation), and reversals are debit entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Complexity } from "../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { rejection, reasonOf } from "../../test/support/failures.js";
import type { JsonObject } from "../governance/sdk/define-plugin.js";
import { examplePayload } from "../governance/plugins/github/test-support.js";
import { resettleUncredited } from "./reconcile/reconcile.js";
import { type ContributionsStage, startContributionsStage } from "./test-support.js";

const FORM = "### Organisation Name\n\nCoast\n\n### Product Name\n\nHarbour\n\n### Domain\n\nCivic\n\n### Tech Skills Needed\n\nTypeScript\n\n### Mentor(s)\n\n@mentor-one\n\n### Complexity\n\nHigh\n\n### Category\n\nFrontend\n";
const CODERTOCAT = 21031067;

interface IssueOptions {
  id?: number;
  number?: number;
  state?: "open" | "closed";
  stateReason?: string;
  assignee?: { id: number; login: string } | null;
  labels?: string[];
  body?: string;
  at: number;
}

/** Octokit's real issues delivery, with this issue's state: labels, form, assignee, times. */
function issuePayload(action: string, o: IssueOptions): JsonObject {
  const payload = examplePayload("issues", "reopened");
  const issue = payload.issue as JsonObject;
  const assignee = o.assignee === undefined ? { ...(issue.user as JsonObject) } : o.assignee;
  Object.assign(issue, {
    id: o.id ?? issue.id,
    number: o.number ?? issue.number,
    state: o.state ?? "open",
    state_reason: o.stateReason ?? (o.state === "closed" ? "completed" : null),
    assignee,
    assignees: assignee ? [assignee] : [],
    labels: (o.labels ?? ["C4GT Community"]).map((name, i) => ({ id: i + 1, name, color: "ededed", default: false })),
    body: o.body ?? FORM,
    updated_at: new Date(Date.UTC(2026, 10, 1, 0, 0, o.at)).toISOString(),
    closed_at: o.state === "closed" ? new Date(Date.UTC(2026, 10, 1, 0, 0, o.at)).toISOString() : null,
  });
  payload.action = action;
  return payload;
}

for (const backend of ["pglite", "postgres"] as const) {
  describe(`contributions ledger on ${backend}`, () => {
    let stage: ContributionsStage;
    beforeAll(async () => {
      stage = await startContributionsStage(backend, "contrib_ledger");
    }, 60_000);
    afterAll(async () => {
      await stage?.close();
    });
    const ledger = async () => (await stage.client.listLedger({ communityId: stage.communityId, pageSize: 500 })).entries;
    const send = async (type: string, payload: JsonObject) => {
      await stage.deliver(type, payload);
      await stage.drain();
    };

    it("credits a closed, labelled issue's registered assignee once: replayed, redelivered, reopened and closed again", async () => {
      const account = stage.identity.link(CODERTOCAT);
      await send("opened issues", issuePayload("opened", { at: 1 }));
      const [ticket] = (await stage.client.listTickets({ communityId: stage.communityId })).tickets;
      expect(ticket).toMatchObject({ repository: "Codertocat/Hello-World", number: 1, state: "open", assigneeLogin: "Codertocat", assigneeAccountId: account, complexity: Complexity.HIGH, mentors: ["mentor-one"], problems: [], points: 0 });
      expect(ticket!.sections.map((s) => [s.name, s.value])).toEqual([
        ["Organisation Name", "Coast"], ["Product", "Harbour"], ["Domain", "Civic"], ["Tech Skills Needed", "TypeScript"],
        ["Complexity", "High"], ["Category", "Frontend"], ["Mentor(s)", "@mentor-one"],
      ]);
      expect(await ledger()).toEqual([]);

      const closed = issuePayload("closed", { state: "closed", at: 2 });
      await send("closed issues", closed);
      expect((await ledger()).map((e) => [e.accountId, e.reason, e.points])).toEqual([[account, "issue_closed", 30]]);
      // The same delivery twice more (a replay, a redelivery under a new id), then a reopen/close cycle.
      await send("closed issues", closed);
      await send("closed issues", structuredClone(closed));
      await send("reopened issues", issuePayload("reopened", { at: 3 }));
      expect((await stage.client.listTickets({ communityId: stage.communityId })).tickets[0]!.state).toBe("open");
      await send("closed issues", issuePayload("closed", { state: "closed", at: 4 }));
      expect((await ledger()).map((e) => [e.accountId, e.reason, e.points])).toEqual([[account, "issue_closed", 30]]);
      // Settling everything again, as a reconciliation run ends: nothing new.
      expect(await resettleUncredited({ db: stage.db, logger: undefined as never, governance: undefined as never, identity: () => stage.identity }, stage.communityId)).toBe(0);
      expect(await ledger()).toHaveLength(1);

      const { entries } = await stage.client.getLeaderboard({ communityId: stage.communityId });
      expect(entries.map((e) => [e.rank, e.accountId, e.githubLogin, e.points, e.ticketsClosed])).toEqual([[1, account, "Codertocat", 30, 1]]);
      expect((await stage.client.listTickets({ communityId: stage.communityId })).tickets[0]!.points).toBe(30);
    });

    it("credits nothing to an unregistered assignee, then credits them once at the reconciliation after they link", async () => {
      const newcomer = { id: 5_550_001, login: "newcomer" };
      await send("closed issues", issuePayload("closed", { id: 900_001, number: 41, state: "closed", assignee: newcomer, at: 10 }));
      expect((await ledger()).filter((e) => e.number === 41)).toEqual([]);
      const deps = { db: stage.db, logger: undefined as never, governance: undefined as never, identity: () => stage.identity };
      expect(await resettleUncredited(deps, stage.communityId)).toBe(0);
      const account = stage.identity.link(newcomer.id);
      expect(await resettleUncredited(deps, stage.communityId)).toBe(1);
      expect(await resettleUncredited(deps, stage.communityId)).toBe(0);
      expect((await ledger()).filter((e) => e.number === 41).map((e) => [e.accountId, e.points])).toEqual([[account, 30]]);
    });

    it("credits nothing for an issue closed as not planned, without a programme label, or without a complexity", async () => {
      stage.identity.link(5_550_002);
      const assignee = { id: 5_550_002, login: "someone" };
      await send("closed issues", issuePayload("closed", { id: 900_002, number: 42, state: "closed", stateReason: "not_planned", assignee, at: 20 }));
      await send("closed issues", issuePayload("closed", { id: 900_003, number: 43, state: "closed", labels: ["bug"], assignee, at: 20 }));
      await send("closed issues", issuePayload("closed", { id: 900_004, number: 44, state: "closed", body: "Just fix it", assignee, at: 20 }));
      expect((await ledger()).filter((e) => [42, 43, 44].includes(e.number))).toEqual([]);
      const numbers = (await stage.client.listTickets({ communityId: stage.communityId })).tickets.map((t) => t.number);
      expect(numbers).toContain(44);
      expect(numbers).not.toContain(43);
      const [withProblems] = (await stage.client.listTickets({ communityId: stage.communityId, withProblems: true })).tickets;
      expect(withProblems).toMatchObject({ number: 44, complexity: Complexity.UNSPECIFIED });
      expect(withProblems!.problems).toContain("missing section: Complexity");
    });

    it("matches programme labels regardless of case, and an issue that loses its label leaves the ticket list", async () => {
      await send("labeled issues", issuePayload("labeled", { id: 900_005, number: 45, labels: ["c4gt CODING"], at: 30 }));
      expect((await stage.client.listTickets({ communityId: stage.communityId })).tickets.map((t) => t.number)).toContain(45);
      await send("unlabeled issues", issuePayload("unlabeled", { id: 900_005, number: 45, labels: [], at: 31 }));
      expect((await stage.client.listTickets({ communityId: stage.communityId })).tickets.map((t) => t.number)).not.toContain(45);
    });

    it("counts a ticket's comments from issue_comment deliveries, and ignores comments on pull requests", async () => {
      const comment = (n: number, onPullRequest: boolean, second: number) => {
        const payload = examplePayload("issue_comment", "created", { n: 1 });
        const issue = payload.issue as JsonObject;
        Object.assign(issue, issuePayload("x", { at: second, state: "closed" }).issue as JsonObject, { comments: n });
        if (onPullRequest) issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
        return payload;
      };
      await send("created issue_comment", comment(2, false, 40));
      expect((await stage.client.listTickets({ communityId: stage.communityId })).tickets.find((t) => t.number === 1)?.comments).toBe(2);
      await send("created issue_comment", comment(9, true, 41));
      expect((await stage.client.listTickets({ communityId: stage.communityId })).tickets.find((t) => t.number === 1)?.comments).toBe(2);
      expect((await ledger()).filter((e) => e.number === 1)).toHaveLength(1);
    });

    it("reverses a credit with a debit entry, keeps the credit, and refuses a second reversal", async () => {
      const [credit] = (await ledger()).filter((e) => e.number === 41);
      const { entry } = await stage.client.reverseEntry({ communityId: stage.communityId, entryId: credit!.id, note: "assigned by mistake" });
      expect(entry).toMatchObject({ reason: "reversal:issue_closed", points: -30, accountId: credit!.accountId, note: "assigned by mistake" });
      expect((await ledger()).filter((e) => e.number === 41).map((e) => e.points).sort()).toEqual([-30, 30]);
      expect(reasonOf(await rejection(stage.client.reverseEntry({ communityId: stage.communityId, entryId: credit!.id, note: "" })))).toBe("ALREADY_REVERSED");
      expect(reasonOf(await rejection(stage.client.reverseEntry({ communityId: stage.communityId, entryId: entry!.id, note: "" })))).toBe("NOT_A_CREDIT");
      const { entries } = await stage.client.getLeaderboard({ communityId: stage.communityId });
      expect(entries.find((e) => e.accountId === credit!.accountId)).toMatchObject({ points: 0, ticketsClosed: 0 });
    });
  });
}
