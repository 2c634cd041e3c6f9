// The leaderboard, badges and contributor profile read back on PGlite and PostgreSQL after real deliveries:
// ranks over everyone, points-range filters, both orders, pages, programme periods, the badge thresholds and
// the pull-request badge, a merged pull request linked by a closing keyword credited when the programme says
// so, and the programme's own checks.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Complexity, LeaderboardOrder, Role } from "../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { reasonOf, rejection } from "../../test/support/failures.js";
import { examplePayload } from "../governance/plugins/github/test-support.js";
import type { JsonObject } from "../governance/sdk/define-plugin.js";
import { type ContributionsStage, startContributionsStage } from "./test-support.js";

const form = (complexity: string) =>
  `### Organisation Name\n\nCoast\n\n### Product\n\nHarbour\n\n### Domain\n\nCivic\n\n### Tech Skills Needed\n\nGo\n\n### Mentor(s)\n\n@mentor-one\n\n### Complexity\n\n${complexity}\n\n### Category\n\nBackend\n`;
const at = (second: number) => new Date(Date.UTC(2026, 10, 15, 0, 0, second)).toISOString();

function closedIssue(number: number, assignee: { id: number; login: string }, complexity: string, second: number): JsonObject {
  const payload = examplePayload("issues", "reopened");
  Object.assign(payload.issue as JsonObject, {
    id: 800_000 + number, number, state: "closed", state_reason: "completed", assignee, assignees: [assignee],
    labels: [{ name: "DMP 2026" }], body: form(complexity), updated_at: at(second), closed_at: at(second),
  });
  payload.action = "closed";
  return payload;
}

function mergedPullRequest(number: number, author: { id: number; login: string }, body: string, second: number): JsonObject {
  const payload = examplePayload("pull_request", "closed");
  Object.assign(payload.pull_request as JsonObject, {
    id: 600_000 + number, number, user: author, body, state: "closed", merged: true, merged_at: at(second),
    merged_by: { id: 1, login: "maintainer" }, updated_at: at(second),
  });
  return payload;
}

for (const backend of ["pglite", "postgres"] as const) {
  describe(`leaderboard on ${backend}`, () => {
    let stage: ContributionsStage;
    const people = {
      ada: { id: 7_000_001, login: "ada" },
      bo: { id: 7_000_002, login: "bo" },
      cy: { id: 7_000_003, login: "cy" },
    };
    const accounts: Record<string, string> = {};
    beforeAll(async () => {
      stage = await startContributionsStage(backend, "contrib_board");
      for (const [name, person] of Object.entries(people)) accounts[name] = stage.identity.link(person.id);
      await stage.client.updateProgramme({
        programme: {
          communityId: stage.communityId,
          labels: ["dmp 2026"],
          points: [{ role: Role.CONTRIBUTOR, complexity: Complexity.HIGH, points: 30 }, { role: Role.CONTRIBUTOR, complexity: Complexity.LOW, points: 10 }],
          creditMergedPullRequests: true,
          badges: [{ name: "Rising Star", points: 50 }, { name: "Wizard", points: 100 }, { name: "Ninja", points: 175 }, { name: "Warrior", points: 275 }],
          pullRequestBadge: "Enthusiast",
          periods: [
            { name: "Cohort 2025", startTime: timestampFromDate(new Date("2025-01-01T00:00:00Z")), endTime: timestampFromDate(new Date("2026-01-01T00:00:00Z")) },
            { name: "Cohort 2026", startTime: timestampFromDate(new Date("2026-01-01T00:00:00Z")), endTime: timestampFromDate(new Date("2027-01-01T00:00:00Z")) },
          ],
        },
      });
      let n = 0;
      for (let i = 0; i < 3; i++) await stage.deliver("closed issues", closedIssue(++n, people.ada, "High", n));
      for (let i = 0; i < 6; i++) await stage.deliver("closed issues", closedIssue(++n, people.cy, "High", n));
      await stage.deliver("closed issues", closedIssue(++n, people.bo, "Low", n));
      await stage.deliver("closed pull_request", mergedPullRequest(1, people.bo, `Fixes #${n}, see #9999`, n + 1));
      await stage.drain();
    }, 60_000);
    afterAll(async () => {
      await stage?.close();
    });
    const board = async (request: Record<string, unknown> = {}) => (await stage.client.getLeaderboard({ communityId: stage.communityId, ...request })).entries;
    const summary = (entries: Awaited<ReturnType<typeof board>>) => entries.map((e) => [e.rank, e.githubLogin, e.points, e.ticketsClosed, e.pullRequestsMerged, e.badges]);

    it("ranks everyone by points with their tickets, merged pull requests and badges", async () => {
      expect(summary(await board())).toEqual([
        [1, "cy", 180, 6, 0, ["Rising Star", "Wizard", "Ninja"]],
        [2, "ada", 90, 3, 0, ["Rising Star"]],
        // 10 for the ticket and 10 for the merged pull request that fixes it.
        [3, "bo", 20, 1, 1, ["Enthusiast"]],
      ]);
    });

    it("filters by points, orders either way and pages, keeping each row's rank among everyone", async () => {
      expect(summary(await board({ minPoints: 50 })).map((r) => r[1])).toEqual(["cy", "ada"]);
      expect(summary(await board({ maxPoints: 100 })).map((r) => [r[0], r[1]])).toEqual([[2, "ada"], [3, "bo"]]);
      expect((await board({ order: LeaderboardOrder.POINTS_ASC })).map((e) => e.githubLogin)).toEqual(["bo", "ada", "cy"]);
      const seen: string[] = [];
      let pageToken = "";
      do {
        const page = await stage.client.getLeaderboard({ communityId: stage.communityId, pageSize: 1, pageToken });
        seen.push(...page.entries.map((e) => e.githubLogin));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual(["cy", "ada", "bo"]);
      expect(reasonOf(await rejection(board({ pageToken: "bm90IGEgdG9rZW4" })))).toBe("INVALID_PAGE_TOKEN");
    });

    it("reads a period's board from what happened in it, and refuses a period the programme lacks", async () => {
      expect((await board({ period: "cohort 2026" })).map((e) => e.githubLogin)).toEqual(["cy", "ada", "bo"]);
      expect(await board({ period: "Cohort 2025" })).toEqual([]);
      expect(reasonOf(await rejection(board({ period: "Cohort 1999" })))).toBe("UNKNOWN_PERIOD");
    });

    it("shows a contributor's tickets, pull requests, points history and badges", async () => {
      const { contributor } = await stage.client.getContributor({ communityId: stage.communityId, accountId: accounts.bo! });
      expect(contributor).toMatchObject({ accountId: accounts.bo, githubLogin: "bo", points: 20, badges: ["Enthusiast"] });
      expect(contributor!.tickets.map((t) => [t.number, t.points])).toEqual([[10, 20]]);
      expect(contributor!.pullRequests.map((p) => [p.number, p.merged, p.mergedByLogin, p.linkedIssues])).toEqual([[1, true, "maintainer", [10, 9999]]]);
      expect(contributor!.history.map((e) => [e.reason, e.points, e.number])).toEqual([["issue_closed", 10, 10], ["pr_merged", 10, 10]]);
      const nobody = (await stage.client.getContributor({ communityId: stage.communityId, accountId: crypto.randomUUID() })).contributor;
      expect(nobody).toMatchObject({ points: 0, badges: [], tickets: [], history: [] });
    });

    it("keeps the programme as saved and refuses what the proto's rules cannot see", async () => {
      const { programme } = await stage.client.getProgramme({ communityId: stage.communityId });
      expect(programme).toMatchObject({ labels: ["dmp 2026"], creditMergedPullRequests: true, pullRequestBadge: "Enthusiast" });
      expect(programme!.periods.map((p) => p.name)).toEqual(["Cohort 2025", "Cohort 2026"]);
      // As a client sends it: the saved fields, some changed (without the message's own type tag, so plain changes are taken as such).
      const { $typeName: _, ...saved } = programme!;
      const again = (changes: Record<string, unknown>) => stage.client.updateProgramme({ programme: { ...saved, ...changes } });
      expect(reasonOf(await rejection(again({ labels: ["DMP 2026", "dmp 2026"] })))).toBe("INVALID_ARGUMENT");
      const backwards = { name: "Backwards", startTime: timestampFromDate(new Date("2026-02-01T00:00:00Z")), endTime: timestampFromDate(new Date("2026-01-01T00:00:00Z")) };
      expect(reasonOf(await rejection(again({ periods: [backwards] })))).toBe("INVALID_ARGUMENT");
      expect(reasonOf(await rejection(again({ points: [{ role: Role.MENTOR, complexity: Complexity.LOW, points: 1 }, { role: Role.MENTOR, complexity: Complexity.LOW, points: 2 }] })))).toBe("INVALID_ARGUMENT");
      // A community that never saved one has the C4GT defaults.
      const defaults = (await stage.client.getProgramme({ communityId: crypto.randomUUID() })).programme!;
      expect(defaults.labels).toEqual(["C4GT Community", "C4GT Bounty", "C4GT Coding", "DMP 2026"]);
      expect(defaults.badges.map((b) => [b.name, b.points])).toEqual([["Rising Star", 50], ["Wizard", 100], ["Ninja", 175], ["Warrior", 275]]);
      expect(defaults.points.filter((p) => p.role === Role.CONTRIBUTOR).map((p) => p.points)).toEqual([30, 20, 10]);
    });
  });
}
