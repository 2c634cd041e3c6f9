// Community notifications through the real server on PostgreSQL: settings read and replaced (permissions and
// rules from the proto); with them on, a poll opening, closing soon and publishing its result, and a governance
// process's outcome each become exactly one message per member — with a second replica's worker following the
// same log at the same time, and again when the log is replayed; with them off, nothing.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationService } from "../../clients/src/gen/polity/mod/messaging/v1/notifications_pb.js";
import { TemplateService } from "../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import { VotingMethod } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { PolityClient } from "../../clients/src/core.js";
import type { Io } from "../../clients/src/cli/io.js";
import { buildProgram } from "../../clients/src/cli/program.js";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { clientFor } from "../support/clients.js";
import { until } from "../governance/support.js";
import { startCommunityStage } from "../support/communities.js";
import { signUpVerified } from "../support/people.js";
import { createPolityClient } from "../../clients/src/node.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";

let database: TestDatabase;
let server: TestServer;
let replica: TestServer | undefined;
let admin: PolityClient;
let member: PolityClient;
let communityId: string;
let sql: pg.Client;
const accounts: string[] = [];
let cursorWhenEnabled = 0;

interface Sent {
  account_id: string;
  subject: string | null;
  text: string;
  category: string | null;
  idempotency_key: string;
}

/** The notification messages created for the community's members (read from the messages store's table). */
async function sent(): Promise<Sent[]> {
  const exists = await sql.query("select 1 from pg_tables where schemaname = 'mod' and tablename = 'messaging_messages'");
  if (exists.rowCount === 0) return [];
  const { rows } = await sql.query<Sent>(
    `select recipient_account_id as account_id, subject, text, category, idempotency_key from mod.messaging_messages
     where recipient_community_id = $1 and idempotency_key like 'notify-%' order by created_at`, [communityId]);
  return rows;
}

async function cursor(): Promise<number> {
  const { rows } = await sql.query<{ c: string }>("select activity_cursor as c from mod.messaging_notification_settings where community_id = $1", [communityId]);
  return Number(rows[0]?.c ?? -1);
}

const containing = (needle: string) => async () => (await sent()).filter((m) => m.text.includes(needle) || (m.subject ?? "").includes(needle));

/** Waits until every member has a message containing `needle`; then two more worker passes, to see no second. */
async function oneEach(needle: string): Promise<Sent[]> {
  const read = containing(needle);
  await until(read, (ms) => ms.length >= accounts.length, 20_000);
  await new Promise((r) => setTimeout(r, 5000));
  return read();
}

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

const notifications = (c: PolityClient) => createClient(NotificationService, c.transport);

beforeAll(async () => {
  database = await createTestDatabase("notify");
  const env = { DATABASE_URL: database.url, POLITY_GOVERNANCE_SWEEP_INTERVAL_SECONDS: "1" };
  ({ server, admin, member, communityId } = await startCommunityStage(
    { email: "notify-admin@example.org", password: "a long admin password" },
    { email: "notify-member@example.org", password: "a long member password" }, env));
  const third = await signUpVerified(server.url, server.logs, "notify-third@example.org", "a long third password");
  const thirdClient = createPolityClient({ baseUrl: server.url });
  await thirdClient.auth.login({ email: third.email, password: "a long third password" });
  await thirdClient.communities.joinCommunity({ communityId });
  const { members } = await admin.communities.listMembers({ communityId });
  accounts.push(...members.map((m) => m.accountId));
  // A second process's worker on the same database follows the same logs at the same time.
  replica = await startInProcessServer(env);
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
}, 90_000);

afterAll(async () => {
  await sql?.end();
  await replica?.stop();
  await server?.stop();
  await database?.drop();
});

describe("community notifications", () => {
  it("are off until set; members may not change them; the proto checks the lead time", async () => {
    const { notifications: n } = await notifications(admin).getCommunityNotifications({ communityId });
    expect(n).toMatchObject({ communityId, pollOpened: { enabled: false }, resultPublished: { enabled: false }, category: "", roles: [] });
    expect(Number(n!.closingSoonLead!.seconds)).toBe(24 * 3600);
    const denied = await failure(notifications(member).setCommunityNotifications({ notifications: { communityId, pollOpened: { enabled: true } } }));
    expect(denied.code).toBe(Code.PermissionDenied);
    const bad = await failure(notifications(admin).setCommunityNotifications({ notifications: { communityId, closingSoonLead: { seconds: 10n } } }));
    expect(bad.code).toBe(Code.InvalidArgument);
  });

  it("with notifications off, an opened poll notifies nobody", async () => {
    const { poll } = await admin.voting.createPoll({ poll: { communityId, title: "Quiet poll", method: VotingMethod.SINGLE_CHOICE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }] } });
    await admin.voting.openPoll({ communityId, pollId: poll!.id });
    await new Promise((r) => setTimeout(r, 5000));
    expect(await sent()).toEqual([]);
  });

  it("a poll opening and closing soon, then its result (in the org's template): one message of each per member", async () => {
    const { community } = await admin.communities.getCommunity({ communityId });
    const { template } = await createClient(TemplateService, admin.transport).createTemplate({
      orgId: community!.orgId, name: "Result notice", defaultLanguage: "en",
      variants: [{ language: "en", subject: "Decided: {{poll_title}}", text: "{{poll_title}} is decided: {{winners}} ({{verdict}}). {{poll_link}}" }],
    });
    const { notifications: n } = await notifications(admin).setCommunityNotifications({
      notifications: {
        communityId, pollOpened: { enabled: true }, pollClosingSoon: { enabled: true }, closingSoonLead: { seconds: 7200n },
        resultPublished: { enabled: true, templateId: template!.id }, processOutcome: { enabled: true }, category: "governance",
      },
    });
    expect(n).toMatchObject({ pollOpened: { enabled: true }, category: "governance" });
    cursorWhenEnabled = await cursor();
    // The poll opened before they were on stays unannounced (nothing from the past is sent).
    const closesAt = new Date(Date.now() + 3600_000);
    const { poll } = await admin.voting.createPoll({
      poll: { communityId, title: "Harbour lights", method: VotingMethod.SINGLE_CHOICE, timeZone: "Europe/Lisbon", closesAt: { seconds: BigInt(Math.floor(closesAt.getTime() / 1000)), nanos: 0 }, options: [{ id: "yes", label: "Yes" }, { id: "no", label: "No" }] },
    });
    const ids = { communityId, pollId: poll!.id };
    await admin.voting.openPoll(ids);

    const opened = await oneEach("New poll: Harbour lights");
    expect(opened.map((m) => m.account_id).sort()).toEqual([...accounts].sort());
    expect(new Set(opened.map((m) => m.idempotency_key)).size).toBe(accounts.length);
    expect(opened[0].category).toBe("governance");
    expect(opened[0].text).toContain(`/#/communities/${communityId}/polls/${poll!.id}`);
    // No member time zone is known yet: the poll's own.
    expect(opened[0].text).toMatch(/closes .*(WEST|WET|GMT)/);

    const closing = await oneEach("Closing soon: Harbour lights");
    expect(closing.map((m) => m.account_id).sort()).toEqual([...accounts].sort());

    await member.voting.castBallot({ ...ids, ballot: { choice: { case: "optionId", value: "yes" } } });
    await admin.voting.closePoll(ids);
    const results = await oneEach("Decided: Harbour lights");
    expect(results.map((m) => m.account_id).sort()).toEqual([...accounts].sort());
    expect(results[0].text).toMatch(/^Harbour lights is decided: Yes \((elected|passed)\)\. http:\/\/\S+\/polls\//);
    expect((await containing("Quiet poll")()).length).toBe(0);
  }, 90_000);

  it("a governance process's outcome notifies every member once", async () => {
    await admin.governance.enablePlugin({ communityId, plugin: "randomness" });
    const { process } = await admin.governance.startProcess({ communityId, process: "randomness.delayed-stochastic-vote", input: { options: ["north", "south"], delay: 0.01 } });
    const outcome = await oneEach("randomness.delayed-stochastic-vote: completed");
    expect(outcome.map((m) => m.account_id).sort()).toEqual([...accounts].sort());
    const { process: done } = await admin.governance.getProcess({ communityId, processId: process!.id });
    expect(outcome[0].text).toContain(`"winner":"${done!.outcome!.winner}"`);
  }, 60_000);

  it("replayed from an earlier cursor, the log creates nothing twice", async () => {
    const before = await sent();
    expect(before.length).toBe(4 * accounts.length);
    expect(await cursor()).toBeGreaterThan(cursorWhenEnabled);
    await sql.query("update mod.messaging_notification_settings set activity_cursor = $1 where community_id = $2", [cursorWhenEnabled, communityId]);
    await until(cursor, (c) => c > cursorWhenEnabled, 15_000);
    await new Promise((r) => setTimeout(r, 5000));
    expect((await sent()).map((m) => m.idempotency_key).sort()).toEqual(before.map((m) => m.idempotency_key).sort());
  }, 30_000);

  it("switched off again, a new poll notifies nobody", async () => {
    await notifications(admin).setCommunityNotifications({ notifications: { communityId } });
    const before = (await sent()).length;
    const { poll } = await admin.voting.createPoll({ poll: { communityId, title: "After hours", method: VotingMethod.SINGLE_CHOICE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }] } });
    await admin.voting.openPoll({ communityId, pollId: poll!.id });
    await new Promise((r) => setTimeout(r, 5000));
    expect((await sent()).length).toBe(before);
  }, 30_000);

  it("polity notifications set changes only what its flags name; show prints them", async () => {
    const { tokens } = await clientFor(AuthService, server.url).login({ email: "notify-admin@example.org", password: "a long admin password" });
    const polity = async (...args: string[]) => {
      let out = "";
      const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (out += t), env: { POLITY_TOKEN: tokens!.accessToken, XDG_CONFIG_HOME: "/nonexistent" }, interactive: false, readStdin: async () => "", prompt: async () => "" };
      const program = buildProgram(io);
      await program.parseAsync(["--server", server.url, ...args], { from: "user" });
      return out;
    };
    await polity("notifications", "set", communityId, "--on", "poll-opened,result-published", "--lead", "90m", "--roles", "member,moderator", "--category", "votes");
    await polity("notifications", "set", communityId, "--off", "result-published");
    const { notifications: n } = await notifications(admin).getCommunityNotifications({ communityId });
    expect(n).toMatchObject({ pollOpened: { enabled: true }, resultPublished: { enabled: false }, pollClosingSoon: { enabled: false }, category: "votes", roles: ["member", "moderator"] });
    expect(Number(n!.closingSoonLead!.seconds)).toBe(90 * 60);
    const shown = await polity("notifications", "show", communityId);
    expect(shown).toMatch(/poll opened\s*│?\s*on/);
    expect(shown).toMatch(/poll closing soon\s*│?\s*off, 90 min before/);
    expect(shown).toContain("member, moderator");
    await expect(polity("notifications", "set", communityId, "--on", "poll-exploded")).rejects.toThrow(/not an event/);
  }, 30_000);
});
