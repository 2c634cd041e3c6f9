// Campaigns through the real server on PostgreSQL: a campaign reaching its threshold from pledges made through
// AnswerService, seen live on WatchCampaign by an anonymous watcher, announced once to the campaign's community
// through messaging; a withdrawal lowers progress but keeps the crossing; drafts are hidden from strangers; bad
// thresholds, references and links are refused with a precise reason; and nothing read says who pledged.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActionTimeDisambiguation, CampaignService, CampaignStatus, type CampaignProgress, MediaKind } from "../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { MessageService } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { NotificationService } from "../../clients/src/gen/polity/mod/messaging/v1/notifications_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { clientFor } from "../support/clients.js";
import type { Person } from "../support/people.js";
import { startSurveyStage, type SurveyStage } from "./surveys-stage.js";

let stage: SurveyStage;
let communityId: string;
let surveyId: string;
let hours: string;
let euros: string;
const pledgers: Person[] = [];

const campaigns = (token?: string) => clientFor(CampaignService, stage.server.url, token);

async function failure(call: Promise<unknown>): Promise<{ code: Code; reason: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, reason: e.findDetails(ErrorInfoSchema)[0]?.reason ?? "", message: e.rawMessage };
  }
  throw new Error("expected the call to fail");
}

/** The notification messages created for the community's members about this campaign (read with MessageService). */
async function announced(campaignTitle: string, community = communityId): Promise<Array<{ account: string; subject: string; text: string }>> {
  const { messages } = await clientFor(MessageService, stage.server.url, stage.root.token).listMessages({ orgId: stage.orgId, pageSize: 200 });
  return messages
    .filter((m) => m.idempotencyKey.startsWith("notify-") && m.member?.communityId === community && m.subject.includes(campaignTitle))
    .map((m) => ({ account: m.member!.accountId, subject: m.subject, text: m.text }));
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const pledge = (person: Person, amount: number) => stage.answers(person.token).submitAnswers({ surveyId, answers: { pledges: [{ supplyQuestionId: hours, amount }] } });

beforeAll(async () => {
  stage = await startSurveyStage("postgres", "campaigns");
  const root = stage.root.token;
  const { community } = await clientFor(CommunityService, stage.server.url, root).createCommunity({
    orgId: stage.orgId, slug: "volunteers", name: "Volunteers", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
  });
  communityId = community!.id;
  for (let i = 0; i < 3; i++) {
    const person = await stage.person(`pledger${i}`);
    await clientFor(CommunityService, stage.server.url, person.token).joinCommunity({ communityId });
    pledgers.push(person);
  }
  await clientFor(NotificationService, stage.server.url, root).setCommunityNotifications({ notifications: { communityId, campaignThresholdReached: { enabled: true } } });
  const { survey } = await stage.surveys(stage.projectAdmin.token).createSurvey({
    projectId: stage.projectId, title: "Volunteering", status: SurveyStatus.OPEN,
    questions: { supplyQuestions: [{ name: "Volunteer", unit: "hours" }, { name: "Donor", unit: "euros" }] },
  });
  surveyId = survey!.id;
  [hours, euros] = survey!.supplyQuestions.map((q) => q.id) as [string, string];
}, 120_000);

afterAll(async () => {
  await stage?.server.stop();
});

describe("a campaign's threshold", () => {
  it("is reached by pledges made through the API, seen live by an anonymous watcher, and announced once to the community", async () => {
    const { campaign } = await campaigns(stage.projectAdmin.token).createCampaign({
      projectId: stage.projectId,
      campaign: {
        title: "Clean the river", goal: "A clean river by spring", strategy: "Three teams", category: "environment", status: CampaignStatus.ACTIVE,
        surveyProjectId: surveyId, notifyCommunityId: communityId,
        thresholds: [{ label: "Three volunteers for 2 hours", supplyQuestionId: hours, minAmountPerPerson: 2, peopleRequired: 3 }],
        precedents: [{ title: "Thames clean-up", year: 1998, place: "London", url: "https://example.org/thames" }],
        media: [{ kind: MediaKind.VIDEO, url: "https://video.example.org/river", title: "The river" }],
      },
    });
    expect(campaign).toMatchObject({ orgId: stage.orgId, projectId: stage.projectId, status: CampaignStatus.ACTIVE, progress: { thresholds: [{ people: 0n, totalAmount: 0, unit: "hours" }] } });

    const abort = new AbortController();
    const seen: CampaignProgress[] = [];
    const watching = (async () => {
      for await (const { progress } of campaigns().watchCampaign({ campaignId: campaign!.id }, { signal: abort.signal })) {
        seen.push(progress!);
        if (progress!.status === CampaignStatus.TRIGGERED) return;
      }
    })().catch((error: unknown) => {
      // Cancelled by the test itself once it has seen enough; anything else fails the race below.
      if (!abort.signal.aborted) return Promise.reject(error);
    });
    watching.catch(() => undefined);
    await until(async () => seen.length, (n) => n > 0);
    expect(seen[0]!.thresholds[0]).toMatchObject({ people: 0n, peopleRequired: 3 });

    await pledge(pledgers[0]!, 5);
    await until(async () => seen.at(-1)!.thresholds[0]!.people, (p) => p === 1n);
    await pledge(pledgers[1]!, 1); // below the minimum: adds to the total, not to the people
    await pledge(pledgers[2]!, 4);
    await until(async () => seen.at(-1)!.thresholds[0]!.totalAmount, (t) => t === 10);
    expect(seen.at(-1)!.thresholds[0]!.people).toBe(2n);
    expect(seen.at(-1)!.thresholds[0]!.crossedAt).toBeUndefined();
    expect(seen.at(-1)!.status).toBe(CampaignStatus.ACTIVE);
    await pledge(pledgers[1]!, 3); // an update of the same answer set: now at the minimum
    await Promise.race([watching, new Promise((_, reject) => setTimeout(() => reject(new Error(`not triggered: ${JSON.stringify(seen.at(-1), (_k, v) => (typeof v === "bigint" ? Number(v) : v))}`)), 15_000))]);
    abort.abort();
    const last = seen.at(-1)!;
    expect(last.status).toBe(CampaignStatus.TRIGGERED);
    expect(last.thresholds[0]).toMatchObject({ people: 3n, totalAmount: 12 });
    expect(last.thresholds[0]!.crossedAt).toBeDefined();
    expect(last.triggeredAt).toBeDefined();
    // Progress only moved forward, one snapshot per change at most.
    const people = seen.map((s) => Number(s.thresholds[0]!.people));
    expect(people).toEqual([...people].sort((a, b) => a - b));

    // Every member of the community (the three pledgers and its creator) gets one message, and only one.
    const { members } = await clientFor(CommunityService, stage.server.url, stage.root.token).listMembers({ communityId });
    const messages = await until(() => announced("Clean the river"), (m) => m.length >= members.length);
    expect(messages.map((m) => m.account).sort()).toEqual(members.map((m) => m.accountId).sort());
    expect(messages[0]!.text).toContain("3 people pledged 12 hours");
    await new Promise((r) => setTimeout(r, 3000));
    expect(await announced("Clean the river")).toHaveLength(members.length);

    // A withdrawal lowers progress; the crossing and the triggered status stay, and nothing is announced again.
    await stage.answers(pledgers[0]!.token).withdrawAnswers({ surveyId });
    const { campaign: after } = await campaigns().getCampaign({ campaignId: campaign!.id });
    expect(after!.status).toBe(CampaignStatus.TRIGGERED);
    expect(after!.progress!.thresholds[0]).toMatchObject({ people: 2n, totalAmount: 7 });
    expect(after!.progress!.thresholds[0]!.crossedAt).toEqual(last.thresholds[0]!.crossedAt);
    await stage.answers(pledgers[0]!.token).submitAnswers({ surveyId, answers: { pledges: [{ supplyQuestionId: hours, amount: 5 }] } });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await announced("Clean the river")).toHaveLength(members.length);
  });

  it("is crossed at once when a campaign goes live over pledges already made; a community without notifications hears nothing", async () => {
    const { community: quiet } = await clientFor(CommunityService, stage.server.url, stage.root.token).createCommunity({
      orgId: stage.orgId, slug: "quiet", name: "Quiet", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    await clientFor(CommunityService, stage.server.url, pledgers[0]!.token).joinCommunity({ communityId: quiet!.id });
    const { campaign } = await campaigns(stage.projectAdmin.token).createCampaign({
      projectId: stage.projectId,
      campaign: { title: "Already there", status: CampaignStatus.ACTIVE, surveyProjectId: surveyId, notifyCommunityId: quiet!.id, thresholds: [{ supplyQuestionId: hours, peopleRequired: 2 }] },
    });
    expect(campaign!.status).toBe(CampaignStatus.TRIGGERED);
    expect(campaign!.progress!.thresholds[0]!.crossedAt).toBeDefined();
    await new Promise((r) => setTimeout(r, 3000));
    expect(await announced("Already there", quiet!.id)).toEqual([]);
    expect(await announced("Already there")).toEqual([]);
  });

  it("never says who pledged, not even to the project's admins: campaigns and progress carry counts only", async () => {
    const { campaigns: listed } = await campaigns().listCampaigns({ projectId: stage.projectId });
    const watched = [];
    for (const c of listed) {
      watched.push((await campaigns(stage.projectAdmin.token).getCampaign({ campaignId: c.id })).campaign);
      for await (const m of campaigns(stage.projectAdmin.token).watchCampaign({ campaignId: c.id })) {
        watched.push(m);
        break;
      }
    }
    expect(watched.length).toBe(listed.length * 2);
    const text = JSON.stringify([listed, watched], (_k, v) => (typeof v === "bigint" ? Number(v) : v));
    for (const p of pledgers) {
      expect(text).not.toContain(p.accountId);
      expect(text).not.toContain(p.email);
    }
  });
});

describe("campaign management", () => {
  it("hides drafts from strangers and other projects' admins, and shows them to the project's admins", async () => {
    const { campaign: draft } = await campaigns(stage.projectAdmin.token).createCampaign({ projectId: stage.projectId, campaign: { title: "Secret plan", goal: "Not yet" } });
    expect(draft!.status).toBe(CampaignStatus.DRAFT);
    for (const token of [undefined, stage.orgMember.token, stage.otherAdmin.token]) {
      expect((await failure(campaigns(token).getCampaign({ campaignId: draft!.id }))).code).toBe(Code.NotFound);
      expect((await failure(campaigns(token).watchCampaign({ campaignId: draft!.id })[Symbol.asyncIterator]().next())).code).toBe(Code.NotFound);
      const { campaigns: listed } = await campaigns(token).listCampaigns({ projectId: stage.projectId });
      expect(listed.map((c) => c.id)).not.toContain(draft!.id);
    }
    const { campaigns: mine } = await campaigns(stage.projectAdmin.token).listCampaigns({ projectId: stage.projectId, status: CampaignStatus.DRAFT });
    expect(mine.map((c) => c.id)).toEqual([draft!.id]);
    // Another project's admin cannot write it either, nor reach it through their own project.
    expect((await failure(campaigns(stage.otherAdmin.token).deleteCampaign({ projectId: stage.projectId, campaignId: draft!.id }))).code).toBe(Code.PermissionDenied);
    expect((await failure(campaigns(stage.otherAdmin.token).deleteCampaign({ projectId: stage.otherProjectId, campaignId: draft!.id }))).code).toBe(Code.NotFound);
    // Published: anyone sees it.
    await campaigns(stage.projectAdmin.token).updateCampaign({ projectId: stage.projectId, campaign: { ...draft!, status: CampaignStatus.ACTIVE }, updateMask: { paths: ["status"] } });
    expect((await campaigns().getCampaign({ campaignId: draft!.id })).campaign!.title).toBe("Secret plan");
    await campaigns(stage.projectAdmin.token).deleteCampaign({ projectId: stage.projectId, campaignId: draft!.id });
    expect((await failure(campaigns().getCampaign({ campaignId: draft!.id }))).code).toBe(Code.NotFound);
  });

  it("refuses bad thresholds, references and links with a precise reason, storing nothing", async () => {
    const admin = campaigns(stage.projectAdmin.token);
    const create = (campaign: Record<string, unknown>) => failure(admin.createCampaign({ projectId: stage.projectId, campaign: { title: "Bad one", surveyProjectId: surveyId, ...campaign } }));
    const threshold = { supplyQuestionId: hours, peopleRequired: 10 };
    expect(await create({ thresholds: [{ supplyQuestionId: hours }] })).toMatchObject({ code: Code.InvalidArgument, reason: "THRESHOLD_EMPTY" });
    expect(await create({ thresholds: [{ ...threshold, peopleRequired: -1 }] })).toMatchObject({ code: Code.InvalidArgument, reason: "VALIDATION_FAILED" });
    expect(await create({ thresholds: [{ ...threshold, minAmountPerPerson: Number.NaN }] })).toMatchObject({ code: Code.InvalidArgument });
    // Beyond what a pledge can hold (numeric(12,2)).
    expect(await create({ thresholds: [{ ...threshold, minAmountPerPerson: 1e10 }] })).toMatchObject({ code: Code.InvalidArgument, reason: "VALIDATION_FAILED" });
    expect(await create({ thresholds: [{ ...threshold, supplyQuestionId: crypto.randomUUID() }] })).toMatchObject({ code: Code.InvalidArgument, reason: "UNKNOWN_SUPPLY_QUESTION" });
    expect(await create({ surveyProjectId: "", thresholds: [threshold] })).toMatchObject({ code: Code.InvalidArgument, reason: "SURVEY_PROJECT_REQUIRED" });
    expect(await create({ surveyProjectId: crypto.randomUUID(), thresholds: [threshold] })).toMatchObject({ code: Code.InvalidArgument, reason: "UNKNOWN_SURVEY_PROJECT" });
    expect(await create({ media: [{ kind: MediaKind.VIDEO, url: "http://insecure.example.org/v" }] })).toMatchObject({ code: Code.InvalidArgument, reason: "VALIDATION_FAILED" });
    expect(await create({ media: [{ url: "https://example.org/v" }] })).toMatchObject({ code: Code.InvalidArgument, reason: "VALIDATION_FAILED" });
    expect(await create({ status: CampaignStatus.TRIGGERED })).toMatchObject({ code: Code.InvalidArgument, reason: "INVALID_STATUS" });
    expect(await create({ category: "Not A Slug" })).toMatchObject({ code: Code.InvalidArgument, reason: "VALIDATION_FAILED" });
    expect(await create({ action: { localTime: "2026-07-01T18:00", timeZone: "Mars/Olympus" } })).toMatchObject({ code: Code.InvalidArgument, reason: "UNKNOWN_TIME_ZONE" });
    // A community of another org.
    const { org } = await clientFor(OrgProjectService, stage.server.url, stage.root.token).createOrg({ slug: "elsewhere", displayName: "Elsewhere" });
    const { community } = await clientFor(CommunityService, stage.server.url, stage.root.token).createCommunity({ orgId: org!.id, slug: "far", name: "Far", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN });
    expect(await create({ notifyCommunityId: community!.id })).toMatchObject({ code: Code.InvalidArgument, reason: "UNKNOWN_COMMUNITY" });
    // An unknown project is NOT_FOUND for the superadmin (the project admin is refused by authorization first).
    expect((await failure(campaigns(stage.root.token).createCampaign({ projectId: crypto.randomUUID(), campaign: { title: "Nowhere" } }))).code).toBe(Code.NotFound);
    const { campaigns: stored } = await admin.listCampaigns({ projectId: stage.projectId, pageSize: 200 });
    expect(stored.filter((c) => c.title === "Bad one")).toEqual([]);
  });

  it("fixes thresholds once active and moves status only forward", async () => {
    const admin = campaigns(stage.projectAdmin.token);
    const { campaign } = await admin.createCampaign({
      projectId: stage.projectId,
      campaign: { title: "Fund the boat", surveyProjectId: surveyId, thresholds: [{ supplyQuestionId: euros, totalAmountRequired: 1000 }] },
    });
    // As a client does: the campaign as read, with the fields to change.
    const update = async (fields: Record<string, unknown>, paths: string[]) => {
      const { $typeName: _, ...current } = (await admin.getCampaign({ campaignId: campaign!.id })).campaign!;
      return admin.updateCampaign({ projectId: stage.projectId, campaign: { ...current, ...fields }, updateMask: { paths } });
    };
    // While a draft: thresholds change freely.
    const { campaign: edited } = await update({ thresholds: [{ label: "Boat money", supplyQuestionId: euros, totalAmountRequired: 500 }] }, ["thresholds"]);
    expect(edited!.thresholds.map((t) => [t.label, t.totalAmountRequired])).toEqual([["Boat money", 500]]);
    await update({ status: CampaignStatus.ACTIVE }, ["status"]);
    expect(await failure(update({ thresholds: [{ supplyQuestionId: euros, totalAmountRequired: 1 }] }, ["thresholds"]))).toMatchObject({ code: Code.FailedPrecondition, reason: "CAMPAIGN_NOT_DRAFT" });
    expect(await failure(update({ status: CampaignStatus.DRAFT }, ["status"]))).toMatchObject({ code: Code.FailedPrecondition, reason: "INVALID_STATUS_TRANSITION" });
    expect(await failure(update({ status: CampaignStatus.TRIGGERED }, ["status"]))).toMatchObject({ code: Code.FailedPrecondition, reason: "INVALID_STATUS_TRANSITION" });
    expect(await failure(update({ title: "x" }, ["title", "created_by"]))).toMatchObject({ code: Code.InvalidArgument });
    const { campaign: closed } = await update({ status: CampaignStatus.CLOSED, goal: "Done" }, ["status", "goal"]);
    expect(closed).toMatchObject({ status: CampaignStatus.CLOSED, goal: "Done", title: "Fund the boat" });
    // A closed campaign's stream gives its last progress and ends.
    const streamed: CampaignProgress[] = [];
    for await (const { progress } of campaigns().watchCampaign({ campaignId: campaign!.id, projectId: stage.projectId })) streamed.push(progress!);
    expect(streamed.map((p) => p.status)).toEqual([CampaignStatus.CLOSED]);
  });

  it("stores the action time as the organisers said it, with DST gaps handled as they chose", async () => {
    const admin = campaigns(stage.projectAdmin.token);
    const action = (localTime: string, disambiguation: ActionTimeDisambiguation) => ({ title: "Night walk", action: { localTime, timeZone: "Europe/Paris", disambiguation } });
    // 02:30 on 29 March 2026 does not exist in Paris (clocks jump from 02:00 to 03:00).
    expect(await failure(admin.createCampaign({ projectId: stage.projectId, campaign: action("2026-03-29T02:30", ActionTimeDisambiguation.UNSPECIFIED) })))
      .toMatchObject({ code: Code.FailedPrecondition, reason: "SKIPPED_LOCAL_TIME" });
    const { campaign: earlier } = await admin.createCampaign({ projectId: stage.projectId, campaign: action("2026-03-29T02:30", ActionTimeDisambiguation.EARLIER) });
    const { campaign: later } = await admin.createCampaign({ projectId: stage.projectId, campaign: action("2026-03-29T02:30", ActionTimeDisambiguation.LATER) });
    expect(earlier!.action).toMatchObject({ localTime: "2026-03-29T02:30", timeZone: "Europe/Paris", disambiguation: ActionTimeDisambiguation.EARLIER });
    const at = (c: typeof earlier) => Number(c!.action!.at!.seconds);
    // As Temporal reads a gap: "earlier" is the wall time an hour before (01:30 CET), "later" an hour after (03:30 CEST).
    expect(new Date(at(earlier) * 1000).toISOString()).toBe("2026-03-29T00:30:00.000Z");
    expect(new Date(at(later) * 1000).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    const { campaign: summer } = await admin.createCampaign({ projectId: stage.projectId, campaign: action("2026-07-14T22:00", ActionTimeDisambiguation.REJECT) });
    expect(new Date(at(summer) * 1000).toISOString()).toBe("2026-07-14T20:00:00.000Z");
  });
});
