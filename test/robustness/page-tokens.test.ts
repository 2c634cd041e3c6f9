// "Crafted page tokens are INVALID_ARGUMENT with reason INVALID_PAGE_TOKEN, never INTERNAL and never an
// error-level log line." Every List RPC of every registered polity.* service that takes a page_token is found
// from the generated descriptors (a new one fails "has a fixture" until it is added below), called once with
// no token (the fixture reaches the handler) and then with each crafted token, on PostgreSQL, as the superadmin.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { SurveyService, SurveyStatus } from "../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import { BallotSecrecy, ResultVisibility, VotingMethod, VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { reasonOf } from "../../sys/core/errors.js";
import { transportFor } from "../support/clients.js";
import { repoRoot, startPostgresServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const UUID = "0b7c7a8e-2f0e-4a51-9d7e-3c1f2a4b5c6d";
const b64 = (text: string) => Buffer.from(text).toString("base64url");
const json = (value: unknown) => b64(JSON.stringify(value));
const TIME = "2026-01-02T03:04:05.678Z";

/** Tokens no list ever returned: malformed encodings, wrong shapes and types, values SQL would refuse. */
const CRAFTED: Record<string, string> = {
  "plain text": "garbage",
  "not base64url": "!!!$$$%%%",
  "standard base64 with padding": Buffer.from(JSON.stringify([TIME, UUID])).toString("base64"),
  "random bytes": Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 97 + 13) % 256)).toString("base64url"),
  "invalid UTF-8": Buffer.from([0xff, 0xfe, 0xfd, 0x80]).toString("base64url"),
  "non-uuid id": json([TIME, "not-a-uuid"]),
  "SQL in the id": json([TIME, "' or 1=1 --"]),
  "36 dashes": json([TIME, "-".repeat(36)]),
  "bare 36 dashes": b64("-".repeat(36)),
  "bare non-uuid": b64("x".repeat(36)),
  "bare uuid plus junk": b64(`${UUID}'`),
  "JSON number": json(42),
  "JSON string": json("hello"),
  "JSON null": json(null),
  "JSON object": json({ createdAt: TIME, id: UUID }),
  "empty array": json([]),
  "three parts": json([TIME, UUID, "x"]),
  "numbers": json([1, 2]),
  "nulls": json([null, null]),
  "wrong order": json([UUID, TIME]),
  "numeric id": json([TIME, 5]),
  "boolean time": json([true, UUID]),
  "not a date": json(["yesterday", UUID]),
  "impossible date": json(["2026-02-31T00:00:00.000Z", UUID]),
  "extended year": json(["+275760-09-13T00:00:00.000Z", UUID]),
  "year zero": json(["0000-01-01T00:00:00.000Z", UUID]),
  "date without time": json(["2026-01-02", UUID]),
  "unbalanced JSON": b64(`["${TIME}", "${UUID}"`),
  "huge": json([TIME, "a".repeat(300)]),
  // Longer than the contract's 512 characters: refused by the proto's rule before any handler, with the same reason.
  "513 characters": "a".repeat(513),
  "well-formed but over 512 characters": json([TIME, UUID, "a".repeat(600)]),
};

async function polityServices(): Promise<DescService[]> {
  const root = join(repoRoot, "clients", "src", "gen", "polity");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("_pb.ts"));
  const services: DescService[] = [];
  for (const file of files) {
    const mod = (await import(/* @vite-ignore */ `./${relative(import.meta.dirname, join(root, file)).replace(/\.ts$/, ".js")}`)) as Record<string, unknown>;
    for (const value of Object.values(mod)) if (value && typeof value === "object" && (value as { kind?: unknown }).kind === "service") services.push(value as DescService);
  }
  return services;
}

describe("page tokens on every List RPC", () => {
  let server: TestServer;
  let token: string;
  let listMethods: DescMethod[];
  let fixture: Record<string, string>;
  const call = (method: DescMethod, request: Record<string, unknown>) => {
    const client = createClient(method.parent, transportFor(server.url, "grpc", () => token)) as unknown as Record<string, (r: unknown) => Promise<unknown>>;
    return client[method.localName]!(request);
  };
  // The request fields a List RPC needs besides its page token, by field name.
  const requestFor = (method: DescMethod): Record<string, unknown> => {
    const request: Record<string, unknown> = {};
    for (const field of method.input.fields) if (field.name in fixture) request[field.localName] = fixture[field.name];
    return request;
  };

  beforeAll(async () => {
    server = await startPostgresServer("page_tokens", {
      POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      POLITY_RATE_LIMIT_PER_MINUTE: "0",
    });
    const serving = server.logs.map((l) => JSON.parse(l) as { msg?: string; services?: string[] }).find((l) => l.msg === "polityd serving");
    const registered = new Set(serving?.services ?? []);
    listMethods = (await polityServices())
      .filter((s) => registered.has(s.typeName))
      .flatMap((s) => s.methods)
      .filter((m) => m.input.fields.some((f) => f.name === "page_token"));
    token = (await createClient(AuthService, transportFor(server.url)).login(ADMIN)).tokens!.accessToken;
    const orgs = createClient(OrgProjectService, transportFor(server.url, "grpc", () => token));
    const { org } = await orgs.createOrg({ slug: "tokens", displayName: "Tokens" });
    const { community } = await createClient(CommunityService, transportFor(server.url, "grpc", () => token)).createCommunity({
      orgId: org!.id, slug: "tokens", name: "Tokens", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    const { poll } = await createClient(VotingService, transportFor(server.url, "grpc", () => token)).createPoll({ poll: {
      communityId: community!.id, title: "Tokens", method: VotingMethod.SINGLE_CHOICE, secrecy: BallotSecrecy.PUBLIC,
      resultVisibility: ResultVisibility.LIVE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }],
    } });
    const { project } = await orgs.createProject({ orgId: org!.id, slug: "tokens", displayName: "Tokens" });
    const { survey } = await createClient(SurveyService, transportFor(server.url, "grpc", () => token)).createSurvey({
      projectId: project!.id, title: "Tokens", status: SurveyStatus.OPEN, questions: { supplyQuestions: [{ name: "Cook", unit: "meals" }] },
    });
    fixture = {
      org_id: org!.id, community_id: community!.id, poll_id: poll!.id, resource: `org/${org!.id}`,
      project_id: project!.id, survey_id: survey!.id,
    };
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("finds every List RPC with a page token, sys and mod, and has a fixture for each", async () => {
    const names = listMethods.map((m) => `${m.parent.name}.${m.name}`).sort();
    expect(names).toEqual(expect.arrayContaining([
      "AccountService.ListAccounts", "AccountService.ListServiceAccounts", "OrgProjectService.ListOrgs", "OrgProjectService.ListProjects",
      "AuthzService.ListRoleBindings", "AuthzService.ListAuditEvents", "CommunityService.ListCommunities", "CommunityService.ListJoinRequests",
      "CommunityService.ListMembers", "VotingService.ListPolls", "VotingService.ListBallots", "DiscoService.ListListings",
      "SurveyService.ListSurveys", "AnswerService.ListAnswers",
    ]));
    // Each answers a first page with the fixture alone, so the crafted tokens below reach the handler.
    for (const method of listMethods) {
      await expect(call(method, requestFor(method)), `${method.parent.name}.${method.name}`).resolves.toBeDefined();
    }
  });

  it("refuses every crafted token with INVALID_ARGUMENT / INVALID_PAGE_TOKEN, and logs no error", async () => {
    const logsBefore = server.logs.length;
    const wrong: string[] = [];
    for (const method of listMethods) {
      for (const [label, pageToken] of Object.entries(CRAFTED)) {
        const error = await call(method, { ...requestFor(method), pageToken }).then(() => undefined, (e: unknown) => e);
        const got = error instanceof ConnectError ? `${Code[error.code]} ${reasonOf(error)}` : "OK";
        if (got !== "InvalidArgument INVALID_PAGE_TOKEN") wrong.push(`${method.parent.name}.${method.name} with ${label}: ${got}`);
      }
    }
    expect(wrong).toEqual([]);
    const errors = server.logs.slice(logsBefore).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  });

  it("still pages with the tokens it returns, and refuses a page token longer than the contract allows", async () => {
    const listAudit = listMethods.find((m) => m.name === "ListAuditEvents")!;
    const first = (await call(listAudit, { pageSize: 1 })) as { nextPageToken: string };
    expect(first.nextPageToken).not.toBe("");
    await expect(call(listAudit, { pageSize: 1, pageToken: first.nextPageToken })).resolves.toBeDefined();
    const tooLong = await call(listAudit, { pageToken: "a".repeat(513) }).then(() => undefined, (e: unknown) => e);
    expect(tooLong).toBeInstanceOf(ConnectError);
    expect((tooLong as ConnectError).code).toBe(Code.InvalidArgument);
    expect(reasonOf(tooLong)).toBe("INVALID_PAGE_TOKEN");
    // Exactly 512 characters is within the contract: the handler reads it (and refuses it, as no list made it).
    const longest = await call(listAudit, { pageToken: "a".repeat(512) }).then(() => undefined, (e: unknown) => e);
    expect(reasonOf(longest)).toBe("INVALID_PAGE_TOKEN");
  });
});
