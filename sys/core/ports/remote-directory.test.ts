// A split mod reads sys's directory for its anonymous callers (and its background membership sync) with no
// credential, all from its one address. sys must count those reads in the tier's bucket, not the anonymous one:
// with a small anonymous budget, the membership feed keeps flowing to the remote directory past it, while the
// tier's budget still bounds them and other anonymous calls from that address still meet the anonymous budget.
// Background reads made as the mod tier's service account (member profiles for a blast) go to that same bucket,
// not the account's own, and a profile lookup of any size is cut into GetMemberProfiles' batches of 500.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthzService } from "../../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { transportFor } from "../../../test/support/clients.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { startInProcessServer, type TestServer } from "../../../test/support/server.js";
import { reasonOf } from "../errors.js";
import { createRemoteDirectory } from "./remote-directory.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const ANONYMOUS_PER_MINUTE = 5;
const TIER_PER_MINUTE = 60;

const outcome = (call: Promise<unknown>) =>
  call.then(
    () => "OK",
    (e: unknown) => `${Code[ConnectError.from(e).code]} ${reasonOf(e) ?? ConnectError.from(e).rawMessage}`,
  );

describe("the remote directory's anonymous reads on a sys with a small anonymous budget (PostgreSQL)", () => {
  let database: TestDatabase;
  let sys: TestServer;
  let directory: ReturnType<typeof createRemoteDirectory>;
  let communityId = "";

  beforeAll(async () => {
    database = await createTestDatabase("remote_directory_limits");
    sys = await startInProcessServer({
      DATABASE_URL: database.url, POLITY_TIERS: "sys", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: String(ANONYMOUS_PER_MINUTE), POLITY_TIER_CHECK_RATE_LIMIT_PER_MINUTE: String(TIER_PER_MINUTE),
    });
    const token = (await createClient(AuthService, transportFor(sys.url)).login(ADMIN)).tokens!.accessToken;
    const { org } = await createClient(OrgProjectService, transportFor(sys.url, "grpc", () => token)).createOrg({ slug: "directory", displayName: "Directory" });
    const { community } = await createClient(CommunityService, transportFor(sys.url, "grpc", () => token)).createCommunity({
      orgId: org!.id, slug: "open", name: "Open", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    communityId = community!.id;
    directory = createRemoteDirectory({ sysUrl: sys.url, logger: pino({ level: "silent" }) });
  }, 60_000);
  afterAll(async () => {
    await directory?.close();
    await sys?.stop();
    await database?.drop();
  });

  it("keeps reading the membership feed past the anonymous budget, within the tier's", async () => {
    const reads: string[] = [];
    // Ten times the anonymous budget, as a split mod's activity readers and sync loop would ask.
    for (let i = 0; i < ANONYMOUS_PER_MINUTE * 10; i++) {
      reads.push(await outcome(directory.membershipEvents(communityId, 0, 10).then((events) => expect(events.length).toBeGreaterThan(0))));
    }
    reads.push(await outcome(directory.getCommunity(communityId).then((c) => expect(c?.visibility).toBe("public"))));
    expect(reads).toEqual(reads.map(() => "OK"));
    // The tier's bucket still bounds them: the rest of the minute's budget, then RATE_LIMITED.
    const more = await Promise.all(Array.from({ length: TIER_PER_MINUTE }, () => outcome(directory.membershipEvents(communityId, 0, 10))));
    expect(more.filter((r) => r === "OK")).toHaveLength(TIER_PER_MINUTE - reads.length);
    expect(new Set(more.filter((r) => r !== "OK"))).toEqual(new Set(["ResourceExhausted RATE_LIMITED"]));
    // Other anonymous calls from the same address still meet the anonymous budget.
    const communities = createClient(CommunityService, transportFor(sys.url));
    const listed = await Promise.all(Array.from({ length: ANONYMOUS_PER_MINUTE + 1 }, () => outcome(communities.listCommunities({}))));
    expect(listed).toContain("ResourceExhausted RATE_LIMITED");
  });
});

describe("the remote directory's background reads as the mod tier's service account (PostgreSQL)", () => {
  const ACCOUNT_PER_MINUTE = 8;
  let database: TestDatabase;
  let sys: TestServer;
  let directory: ReturnType<typeof createRemoteDirectory>;
  let communityId = "";
  let adminId = "";

  beforeAll(async () => {
    database = await createTestDatabase("remote_directory_service");
    sys = await startInProcessServer({
      DATABASE_URL: database.url, POLITY_TIERS: "sys", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      POLITY_RATE_LIMIT_PER_MINUTE: String(ACCOUNT_PER_MINUTE), POLITY_TIER_CHECK_RATE_LIMIT_PER_MINUTE: String(TIER_PER_MINUTE),
    });
    const login = (await createClient(AuthService, transportFor(sys.url)).login(ADMIN)).tokens!;
    adminId = login.accountId;
    const as = <T extends Parameters<typeof createClient>[0]>(service: T) => createClient(service, transportFor(sys.url, "grpc", () => login.accessToken));
    const { org } = await as(OrgProjectService).createOrg({ slug: "members", displayName: "Members" });
    const { community } = await as(CommunityService).createCommunity({ orgId: org!.id, slug: "inner", name: "Inner", visibility: Visibility.MEMBERS_ONLY, joinPolicy: JoinPolicy.INVITE });
    communityId = community!.id;
    const bot = await as(AccountService).createServiceAccount({ orgId: org!.id, displayName: "mod tier", role: "guest" });
    await as(AuthzService).grantRole({ accountId: bot.serviceAccount!.id, role: "platform.mod_tier", resource: "platform" });
    directory = createRemoteDirectory({ sysUrl: sys.url, logger: pino({ level: "silent" }), serviceApiKey: bot.apiKeySecret });
  }, 60_000);
  afterAll(async () => {
    await directory?.close();
    await sys?.stop();
    await database?.drop();
  });

  it("reads a members-only community's profiles in batches, past the account's own budget, within the tier's", async () => {
    // 1,200 ids (three batches), one of them the community's admin: only the member comes back, with the email.
    const strangers = Array.from({ length: 1199 }, () => crypto.randomUUID());
    const profiles = await directory.profilesOf(communityId, [...strangers.slice(0, 700), adminId, ...strangers.slice(700), "not-an-id"]);
    expect(profiles).toEqual([{ accountId: adminId, displayName: expect.any(String), email: ADMIN.email }]);
    const reads: string[] = [];
    for (let i = 0; i < ACCOUNT_PER_MINUTE * 2; i++) reads.push(await outcome(directory.isMember(communityId, adminId).then((yes) => expect(yes).toBe(true))));
    expect(reads).toEqual(reads.map(() => "OK"));
    // 3 profile batches and 16 membership questions so far: the rest of the tier's minute, then RATE_LIMITED.
    const more = await Promise.all(Array.from({ length: TIER_PER_MINUTE }, () => outcome(directory.getCommunity(communityId))));
    expect(more.filter((r) => r === "OK")).toHaveLength(TIER_PER_MINUTE - 3 - reads.length);
  });
});
