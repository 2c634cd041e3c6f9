// mod-contributions' tables. Community and account ids are references into sys by value only; GitHub ids are
// GitHub's. Writes go through raw SQL (sys/core/sql.ts); these schemas declare the tables for the ORM and the
// migration check.
import { defineEntity, p } from "@mikro-orm/core";

// A community's programme settings; a community without a row uses the defaults (programme/defaults.ts).
export const ProgrammeEntity = defineEntity({
  name: "ContributionProgramme",
  tableName: "contribution_programmes",
  properties: {
    communityId: p.uuid().primary(),
    labels: p.array().$type<string[]>(),
    points: p.json().$type<unknown>(),
    creditMergedPullRequests: p.boolean(),
    badges: p.json().$type<unknown>(),
    pullRequestBadge: p.string().length(60),
    periods: p.json().$type<unknown>(),
    updatedAt: p.datetime(),
    lastReconcileAt: p.datetime().nullable(),
  },
});

// A GitHub issue the community's instances reported while it carried a programme label (kept, out of the
// programme, if the label goes).
export const TicketEntity = defineEntity({
  name: "ContributionTicket",
  tableName: "contribution_tickets",
  uniques: [{ properties: ["communityId", "issueId"] }],
  indexes: [{ properties: ["communityId", "createdAt"] }, { properties: ["communityId", "repository", "number"] }, { properties: ["communityId", "assigneeAccountId"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    instanceId: p.uuid(),
    issueId: p.bigint("number"),
    repository: p.string().length(200),
    number: p.integer(),
    title: p.text(),
    url: p.string().length(500),
    labels: p.array().$type<string[]>(),
    inProgramme: p.boolean(),
    state: p.string().length(16),
    stateReason: p.string().length(32),
    assigneeGithubId: p.bigint("number").nullable(),
    assigneeLogin: p.string().length(100),
    assigneeAccountId: p.uuid().nullable(),
    mentors: p.array().$type<string[]>(),
    complexity: p.string().length(8),
    sections: p.json().$type<unknown>(),
    problems: p.array().$type<string[]>(),
    comments: p.integer(),
    issueUpdatedAt: p.datetime(),
    closedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const PullRequestEntity = defineEntity({
  name: "ContributionPullRequest",
  tableName: "contribution_pull_requests",
  uniques: [{ properties: ["communityId", "pullRequestId"] }],
  indexes: [{ properties: ["communityId", "authorAccountId"] }, { properties: ["communityId", "repository"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    instanceId: p.uuid(),
    pullRequestId: p.bigint("number"),
    repository: p.string().length(200),
    number: p.integer(),
    title: p.text(),
    url: p.string().length(500),
    authorGithubId: p.bigint("number").nullable(),
    authorLogin: p.string().length(100),
    authorAccountId: p.uuid().nullable(),
    state: p.string().length(16),
    merged: p.boolean(),
    mergedByLogin: p.string().length(100),
    mergedAt: p.datetime().nullable(),
    linkedIssues: p.json().$type<number[]>(),
    prUpdatedAt: p.datetime(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

// Append-only: a credit is never changed or deleted, a reversal is its own (negative) entry. The unique key
// makes a replayed event, a redelivery or a reopen/close cycle insert nothing.
export const LedgerEntity = defineEntity({
  name: "ContributionLedgerEntry",
  tableName: "contribution_ledger",
  uniques: [{ name: "contribution_ledger_credit_unique", properties: ["communityId", "issueId", "accountId", "role", "reason"] }],
  indexes: [{ properties: ["communityId", "createdAt"] }, { properties: ["communityId", "accountId"] }],
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    accountId: p.uuid(),
    githubLogin: p.string().length(100),
    role: p.string().length(16),
    reason: p.string().length(80),
    points: p.integer(),
    issueId: p.bigint("number"),
    repository: p.string().length(200),
    number: p.integer(),
    complexity: p.string().length(8),
    occurredAt: p.datetime(),
    createdAt: p.datetime(),
    note: p.text(),
  },
});

// How far the consumer has read each community's governance events.
export const CursorEntity = defineEntity({
  name: "ContributionCursor",
  tableName: "contribution_cursors",
  properties: {
    communityId: p.uuid().primary(),
    sequence: p.bigint("number"),
    updatedAt: p.datetime(),
  },
});

// One row per GitHub instance: when it is next reconciled (and, while a replica runs it, the end of that
// replica's lease), and since when the next run lists issues.
export const ReconcileRunEntity = defineEntity({
  name: "ContributionReconcileRun",
  tableName: "contribution_reconcile_runs",
  properties: {
    instanceId: p.uuid().primary(),
    communityId: p.uuid(),
    nextRunAt: p.datetime().index(),
    listedSince: p.datetime().nullable(),
    updatedAt: p.datetime(),
  },
});

export const contributionEntities = [ProgrammeEntity, TicketEntity, PullRequestEntity, LedgerEntity, CursorEntity, ReconcileRunEntity];
