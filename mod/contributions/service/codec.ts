// Rows to the wire and back: the module keeps roles and complexities as words, the API as enums.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  Complexity as ComplexityEnum,
  type LedgerEntry,
  LedgerEntrySchema,
  type Programme as ProgrammeMessage,
  ProgrammeSchema,
  type PullRequest,
  PullRequestSchema,
  Role as RoleEnum,
  type Ticket,
  TicketSchema,
} from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { type Complexity, SECTION_NAMES } from "../forms/issue-form.js";
import type { LedgerRow } from "../ledger/entries.js";
import type { Programme, Role } from "../programme/defaults.js";
import type { PullRequestRow } from "../tracking/pull-requests.js";
import type { TicketRow } from "../tracking/tickets.js";

const COMPLEXITIES: Record<Complexity, ComplexityEnum> = { low: ComplexityEnum.LOW, medium: ComplexityEnum.MEDIUM, high: ComplexityEnum.HIGH };
const ROLES: Record<Role, RoleEnum> = { contributor: RoleEnum.CONTRIBUTOR, mentor: RoleEnum.MENTOR };

export const complexityToProto = (c: Complexity | undefined): ComplexityEnum => (c ? COMPLEXITIES[c] : ComplexityEnum.UNSPECIFIED);
export const complexityFromProto = (c: ComplexityEnum): Complexity => (Object.entries(COMPLEXITIES).find(([, v]) => v === c)![0] as Complexity);
export const roleToProto = (r: Role): RoleEnum => ROLES[r];
export const roleFromProto = (r: RoleEnum): Role => (Object.entries(ROLES).find(([, v]) => v === r)![0] as Role);

const time = (d: Date | undefined) => (d ? timestampFromDate(d) : undefined);

export function programmeToProto(p: Programme): ProgrammeMessage {
  return create(ProgrammeSchema, {
    communityId: p.communityId,
    labels: p.labels,
    points: p.points.map((r) => ({ role: roleToProto(r.role), complexity: complexityToProto(r.complexity), points: r.points })),
    creditMergedPullRequests: p.creditMergedPullRequests,
    badges: p.badges,
    pullRequestBadge: p.pullRequestBadge,
    periods: p.periods.map((period) => ({ name: period.name, startTime: time(period.start), endTime: time(period.end) })),
    updateTime: time(p.updatedAt),
    lastReconcileTime: time(p.lastReconcileAt),
  });
}

/** The programme an UpdateProgramme asks for (shape already validated by the proto's rules). */
export function programmeFromProto(m: ProgrammeMessage): Programme {
  return {
    communityId: m.communityId,
    labels: m.labels.map((l) => l.trim()),
    points: m.points.map((r) => ({ role: roleFromProto(r.role), complexity: complexityFromProto(r.complexity), points: r.points })),
    creditMergedPullRequests: m.creditMergedPullRequests,
    badges: m.badges.map((b) => ({ name: b.name.trim(), points: b.points })),
    pullRequestBadge: m.pullRequestBadge.trim(),
    periods: m.periods.map((p) => ({ name: p.name.trim(), start: timestampDate(p.startTime!), end: timestampDate(p.endTime!) })),
  };
}

export function ticketToProto(t: TicketRow, points: number): Ticket {
  return create(TicketSchema, {
    communityId: t.communityId,
    issueId: BigInt(t.issueId),
    repository: t.repository,
    number: t.number,
    title: t.title,
    url: t.url,
    labels: t.labels,
    state: t.state,
    assigneeLogin: t.assigneeLogin,
    assigneeGithubId: BigInt(t.assigneeGithubId ?? 0),
    assigneeAccountId: t.assigneeAccountId ?? "",
    mentors: t.mentors,
    complexity: complexityToProto(t.complexity),
    sections: SECTION_NAMES.filter((name) => name in t.sections).map((name) => ({ name, value: t.sections[name]! })),
    problems: t.problems,
    comments: t.comments,
    points,
    updateTime: time(t.issueUpdatedAt),
    closeTime: t.state === "closed" ? time(t.closedAt) : undefined,
  });
}

export function pullRequestToProto(pr: PullRequestRow): PullRequest {
  return create(PullRequestSchema, {
    repository: pr.repository,
    number: pr.number,
    title: pr.title,
    url: pr.url,
    authorLogin: pr.authorLogin,
    authorGithubId: BigInt(pr.authorGithubId ?? 0),
    state: pr.state,
    merged: pr.merged,
    mergedByLogin: pr.mergedByLogin,
    mergeTime: time(pr.mergedAt),
    linkedIssues: pr.linkedIssues,
  });
}

export function ledgerEntryToProto(e: LedgerRow): LedgerEntry {
  return create(LedgerEntrySchema, {
    id: e.id,
    communityId: e.communityId,
    accountId: e.accountId,
    githubLogin: e.githubLogin,
    role: roleToProto(e.role),
    reason: e.reason,
    points: e.points,
    issueId: BigInt(e.issueId),
    repository: e.repository,
    number: e.number,
    complexity: complexityToProto(e.complexity),
    occurTime: time(e.occurredAt),
    createTime: time(e.createdAt),
    note: e.note,
  });
}
