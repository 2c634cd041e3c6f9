// PostgreSQL's text cannot hold U+0000, so a NUL character in any string field must be refused as bad input before
// it reaches a query (it was Internal on Check's resource, Register's display name, ListListings' query…). A few
// RPCs of both tiers on PostgreSQL, one string field each (top level, nested, map key, in a list of questions):
// InvalidArgument naming the field, never Internal. sys/core/nul-characters.ts explains the one general check.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestSchema } from "../clients/src/gen/google/rpc/error_details_pb.js";
import { DiscoService } from "../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { GovernanceService } from "../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { VotingService } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { CommunityService } from "../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { reasonOf } from "../sys/core/errors.js";
import { transportFor } from "./support/clients.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startInProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const NUL = "ab\u0000cd";

async function refusal(call: Promise<unknown>): Promise<{ code: string; reason: string | undefined; field: string | undefined }> {
  const error = await call.then(() => undefined, (e: unknown) => ConnectError.from(e));
  if (!error) return { code: "OK", reason: undefined, field: undefined };
  return { code: Code[error.code], reason: reasonOf(error), field: error.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field };
}

describe("a NUL character in a string field (PostgreSQL, sys and mod)", () => {
  let server: TestServer;
  let database: TestDatabase;
  let token = "";
  const client = <S extends Parameters<typeof createClient>[0]>(service: S, signedIn = true) =>
    createClient(service, transportFor(server.url, "connect", signedIn ? () => token : undefined));

  beforeAll(async () => {
    database = await createTestDatabase("nul_characters");
    server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, DATABASE_URL: database.url });
    token = (await createClient(AuthService, transportFor(server.url)).login(ADMIN)).tokens!.accessToken;
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("is InvalidArgument naming the field on every tier, never Internal", async () => {
    const community = crypto.randomUUID();
    const poll = crypto.randomUUID();
    const results = {
      register: await refusal(client(AuthService, false).register({ email: "nul@example.org", password: "a long enough passphrase", displayName: NUL })),
      createOrg: await refusal(client(OrgProjectService).createOrg({ slug: "nul-org", displayName: NUL })),
      check: await refusal(client(AuthzService).check({ question: { principalId: "", permission: "mod.voting.poll.read", resource: `community/${NUL}` } })),
      checkBatch: await refusal(client(AuthzService).checkBatch({ questions: [{ resource: "platform" }, { resource: "platform", principalId: NUL }] })),
      listCommunities: await refusal(client(CommunityService).listCommunities({ query: NUL })),
      listListings: await refusal(client(DiscoService).listListings({ query: NUL })),
      createPoll: await refusal(client(VotingService).createPoll({ poll: { communityId: community, title: NUL, method: 1 } })),
      castBallot: await refusal(client(VotingService).castBallot({ communityId: community, pollId: poll, ballot: { choice: { case: "scores", value: { scores: { [NUL]: 1 } } } } })),
      // JSON (google.protobuf.Struct) is searched as JSON: values and keys at any depth.
      jsonValue: await refusal(client(GovernanceService).runAction({ communityId: community, action: "randomness.random-int", parameters: { low: 0, list: [1, { deep: NUL }] } })),
      jsonKey: await refusal(client(GovernanceService).enablePlugin({ communityId: community, plugin: "randomness", config: { [NUL]: true } })),
    };
    expect(results).toEqual({
      register: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: "display_name" },
      createOrg: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: "display_name" },
      // The contract's own shape for a resource refuses control characters first.
      check: { code: "InvalidArgument", reason: "VALIDATION_FAILED", field: "question.resource" },
      checkBatch: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: "questions[1].principal_id" },
      listCommunities: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: "query" },
      listListings: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: "query" },
      createPoll: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: "poll.title" },
      castBallot: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: `ballot.scores.scores[${JSON.stringify(NUL)}]` },
      jsonValue: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: "parameters.list[1].deep" },
      jsonKey: { code: "InvalidArgument", reason: "NUL_CHARACTER", field: `config[${JSON.stringify(NUL)}]` },
    });
  });
});
