// The server the fuzzer talks to: in-process, on its own PostgreSQL database, with every per-caller limit off
// (the fuzzer is one fast caller), a bootstrap superadmin whose token reaches the handlers, and a few real rows
// (org, project, community, polls, a second person) whose ids and names seed the arbitraries' pool.
import type { DescService } from "@bufbuild/protobuf";
import { BallotSecrecy, ResultVisibility, VotingMethod, VotingService } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { OrgProjectService } from "../../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { clientFor } from "../../support/clients.js";
import { signUpVerified } from "../../support/people.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";
import { startInProcessServer, type TestServer } from "../../support/server.js";
import type { Pool } from "./arbitraries.js";

export const ADMIN = { email: "root@example.org", password: "root password 123" };
const PLENTY = "1000000000";

/**
 * Limits that would make a fast caller's later calls ResourceExhausted, switched off or raised out of reach.
 * Names the config may not know yet are ignored by it: loadConfig reads only the settings it declares.
 */
export const unlimited: Record<string, string> = {
  POLITY_RATE_LIMIT_PER_MINUTE: "0",
  POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: "0",
  POLITY_LOGIN_FAILURES_PER_ACCOUNT: PLENTY,
  POLITY_LOGIN_FAILURES_PER_ADDRESS: PLENTY,
  POLITY_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: PLENTY,
  POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: "0",
};

export interface FuzzServer {
  server: TestServer;
  adminToken: string;
  pool: Pool;
  /** Error-level (pino level >= 50) lines logged since `from` (an index into server.logs). */
  errorLines(from?: number): string[];
  stop(): Promise<void>;
}

export async function startFuzzServer(label: string, services: DescService[]): Promise<FuzzServer> {
  const database: TestDatabase = await createTestDatabase(label);
  let server: TestServer | undefined;
  try {
    server = await startInProcessServer({ ...unlimited, DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    const url = server.url;
    const adminToken = (await clientFor(AuthService, url).login(ADMIN)).tokens!.accessToken;
    // The superadmin's own account id stays out of the pool: a fuzzed DeleteAccount must not lock the fuzzer out.
    const victim = await signUpVerified(url, server.logs, "victim@example.org");
    const orgs = clientFor(OrgProjectService, url, adminToken);
    const { org } = await orgs.createOrg({ slug: "fuzz-coop", displayName: "Fuzz coop" });
    const { project } = await orgs.createProject({ orgId: org!.id, slug: "fuzz-project", displayName: "Fuzz project" });
    const { community } = await clientFor(CommunityService, url, adminToken).createCommunity({
      orgId: org!.id, slug: "fuzz-commons", name: "Fuzz commons", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    await clientFor(CommunityService, url, victim.token).joinCommunity({ communityId: community!.id });
    const voting = clientFor(VotingService, url, adminToken);
    const poll = (title: string) => voting.createPoll({ poll: {
      communityId: community!.id, title, method: VotingMethod.SCHULZE, topics: ["parks"], allowDelegation: true, secrecy: BallotSecrecy.SECRET,
      resultVisibility: ResultVisibility.LIVE, options: ["a", "b", "c"].map((id) => ({ id, label: id.toUpperCase() })),
    } });
    const draft = (await poll("Draft poll")).poll!;
    const open = (await poll("Open poll")).poll!;
    await voting.openPoll({ communityId: community!.id, pollId: open.id });

    const fieldNames = new Set<string>();
    for (const s of services) for (const m of s.methods) for (const f of [...m.input.fields, ...m.output.fields]) fieldNames.add(f.name);
    const pool: Pool = {
      uuids: [victim.accountId, org!.id, project!.id, community!.id, draft.id, open.id],
      strings: [
        victim.email, ADMIN.email, "fuzz-coop", "fuzz-project", "fuzz-commons", "parks", "a", "b", "c",
        `org/${org!.id}`, `project/${project!.id}`, `community/${community!.id}`, "platform", `account/${victim.accountId}`,
        "platform.superadmin", "org.admin", "org.member", "community.admin", "community.moderator", "community.member", "community.observer",
        "community.read", "sys.org.read", "Europe/Lisbon", "UTC", ...fieldNames,
      ],
      byField: {
        org_id: [org!.id], project_id: [project!.id], community_id: [community!.id], poll_id: [open.id, draft.id], id: [open.id, draft.id, org!.id, community!.id, project!.id],
        account_id: [victim.accountId], delegate_id: [victim.accountId], member_id: [victim.accountId], resource: [`org/${org!.id}`, `community/${community!.id}`, `project/${project!.id}`, "platform"],
        role: ["org.member", "community.member", "community.moderator", "community.observer"], permission: ["community.read", "sys.org.read", "voting.ballot.cast"],
        email: [victim.email, ADMIN.email, "new@example.org"], option_id: ["a", "b", "c"], option_ids: ["a", "b", "c"], topic: ["parks"], topics: ["parks"], time_zone: ["Europe/Lisbon", "UTC"],
      },
    };
    const logs = server.logs;
    const running = server;
    return {
      server,
      adminToken,
      pool,
      errorLines: (from = 0) => logs.slice(from).filter((line) => ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50),
      async stop() {
        await running.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await server?.stop();
    await database.drop();
    throw error;
  }
}
