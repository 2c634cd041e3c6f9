// A split mod reads sys's directory for its anonymous callers (and its background membership sync) with no
// credential, all from its one address. sys must count those reads in the tier's bucket, not the anonymous one:
// with a small anonymous budget, the membership feed keeps flowing to the remote directory past it, while the
// tier's budget still bounds them and other anonymous calls from that address still meet the anonymous budget.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrgProjectService } from "../../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
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
