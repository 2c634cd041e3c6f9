// Metagov gateway v2's identity endpoints end to end on a real server (PostgreSQL): a driver holding an API key
// of a service account with platform rights links, reads, filters, merges and unlinks people's platform
// accounts, and lists a community's linked members a page at a time; the Metagov shim's own service account (an
// org admin) and the mod tier's resolver role are refused what IdentityService's rules keep from them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { AuthzService } from "../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { clientFor } from "./support/clients.js";
import { METAGOV_ROOT, type MetagovServer, startMetagovServer } from "./support/metagov.js";
import { signUpVerified } from "./support/people.js";

const ID = "/api/internal/identity";

let metagov: MetagovServer;
let adminKey: string;
let resolverKey: string;
let alice: string;
let bob: string;
let carol: string;
let dave: string;

async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${metagov.server.url}${path}`, {
    method,
    headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
/** A get_users page: its users' ids and the next page's token (X-Next-Page-Token), null on the last. */
async function usersPage(query: string): Promise<{ ids: string[]; next: string | null }> {
  const res = await fetch(`${metagov.server.url}${ID}/get_users?community=town${query}`, { headers: { "x-api-key": adminKey } });
  expect(res.status).toBe(200);
  return { ids: ((await res.json()) as any[]).map((u) => u.source_ID), next: res.headers.get("x-next-page-token") };
}
const asAdmin = (method: string, path: string, body?: unknown) => call(method, path, adminKey, body);
const link = (body: Record<string, unknown>, key = adminKey) => call("POST", `${ID}/link_account`, key, { community_slug: "town", ...body });

beforeAll(async () => {
  metagov = await startMetagovServer("metagov_identity");
  const url = metagov.server.url;
  const root = (await clientFor(AuthService, url).login(METAGOV_ROOT)).tokens!.accessToken;
  const { org } = await clientFor(OrgProjectService, url, root).createOrg({ slug: "identity-drivers", displayName: "Identity drivers" });
  const withRole = async (displayName: string, role: string) => {
    const created = await clientFor(AccountService, url, root).createServiceAccount({ orgId: org!.id, displayName });
    await clientFor(AuthzService, url, root).grantRole({ accountId: created.serviceAccount!.id, role, resource: "platform" });
    return created.apiKeySecret;
  };
  adminKey = await withRole("identity admin", "platform.superadmin");
  resolverKey = await withRole("identity resolver", "platform.identity_resolver");
  const people = await Promise.all(["alice", "bob", "carol", "dave"].map((name) => signUpVerified(url, metagov.server.logs, `${name}@example.org`)));
  [alice, bob, carol, dave] = people.map((person) => person.accountId);
  // "town", in the drivers' org: alice, bob and carol are its members, dave is not.
  const { community } = await clientFor(CommunityService, url, root).createCommunity({ orgId: org!.id, slug: "town", name: "Town", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN });
  for (const person of people.slice(0, 3)) await clientFor(CommunityService, url, person.token).joinCommunity({ communityId: community!.id });
}, 120_000);
afterAll(async () => {
  await metagov?.stop();
});

describe("permissions", () => {
  it("refuses callers without platform identity rights with 403", async () => {
    const orgAdmin = metagov.apiKey;
    expect((await link({ external_id: alice, platform_type: "github", platform_identifier: "1" }, orgAdmin)).status).toBe(403);
    expect((await call("GET", `${ID}/get_user?external_id=${alice}`, orgAdmin)).status).toBe(403);
    expect((await call("POST", `${ID}/merge_ids`, orgAdmin, { primary_instance_id: alice, secondary_instance_id: bob })).status).toBe(403);
    expect((await call("GET", `${ID}/get_users?community=town&platform_type=github&platform_identifier=1`, orgAdmin)).status).toBe(403);
    // The resolver may ask who a platform user is, not link one.
    expect((await link({ external_id: alice, platform_type: "github", platform_identifier: "1" }, resolverKey)).status).toBe(403);
    expect(await call("GET", `${ID}/get_users?community=town&platform_type=github&platform_identifier=nobody`, resolverKey)).toEqual({ status: 200, json: [] });
    expect((await call("GET", `${ID}/get_user?external_id=${alice}`, resolverKey)).status).toBe(403);
    expect((await call("GET", `${ID}/get_user?external_id=${alice}`, "not-a-real-api-key-at-all")).status).toBe(401);
  });
});

describe("linking", () => {
  it("links a platform account as Metagov's LinkedAccount, quality only ever rising", async () => {
    const linked = await link({ external_id: alice, platform_type: "github", platform_identifier: "101", custom_data: { username: "alice-gh" }, link_type: "manual admin" });
    expect(linked).toEqual({
      status: 200,
      json: { external_id: alice, community: "town", community_platform_id: null, platform_type: "github", platform_identifier: "101", custom_data: { username: "alice-gh" }, link_type: "manual admin", link_quality: "confirmed (weak)" },
    });
    const again = await link({ external_id: alice, platform_type: "github", platform_identifier: "101", link_quality: "unconfirmed" });
    expect(again.json).toMatchObject({ link_quality: "confirmed (weak)", custom_data: { username: "alice-gh" } });
    const email = await link({ external_id: alice, platform_type: "discord", platform_identifier: "d-1", link_type: "email matching" });
    expect(email.json).toMatchObject({ link_type: "email matching", link_quality: "unconfirmed" });
  });

  it("answers 400, 404 and 409 as the shim maps IdentityService's errors", async () => {
    const base = { external_id: bob, platform_type: "github", platform_identifier: "202" };
    expect((await link({ ...base, link_type: "oauth" })).status).toBe(400);
    expect((await link({ ...base, link_type: "by telepathy" })).status).toBe(400);
    expect((await link({ ...base, link_quality: "certain" })).status).toBe(400);
    expect((await link({ ...base, community_platform_id: "second-slack" })).status).toBe(400);
    expect((await link({ platform_type: "github", platform_identifier: "202" })).json).toEqual({ error: '"external_id" is required' });
    expect((await link({ ...base, external_id: "12345" })).status).toBe(400);
    expect((await link({ ...base, external_id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
    expect(await link({ ...base, platform_identifier: "101" })).toMatchObject({ status: 409, json: { reason: "IDENTITY_ALREADY_LINKED" } });
    expect((await asAdmin("POST", `${ID}/create_id`, { community_slug: "town" })).status).toBe(501);
  });
});

describe("reading", () => {
  it("answers a user as Metagov's identity data object, and one of its links", async () => {
    const user = await asAdmin("GET", `${ID}/get_user?external_id=${alice}`);
    expect(user.status).toBe(200);
    expect(user.json).toMatchObject({ source_ID: alice, primary_ID: alice });
    expect(user.json.linked_accounts.map((a: any) => `${a.platform_type}/${a.platform_identifier}`)).toEqual(["discord/d-1", "github/101"]);
    expect((await asAdmin("GET", `${ID}/get_linked_account?external_id=${alice}&platform_type=github`)).json).toMatchObject({ external_id: alice, platform_identifier: "101" });
    expect(await asAdmin("GET", `${ID}/get_linked_account?external_id=${alice}&platform_type=slack`)).toEqual({ status: 200, json: {} });
    expect((await asAdmin("GET", `${ID}/get_user`)).status).toBe(400);
  });

  it("finds users by platform id, with Metagov's link filters", async () => {
    const found = await asAdmin("GET", `${ID}/get_users?community=town&platform_type=github&platform_identifier=101`);
    expect(found.status).toBe(200);
    expect(found.json.map((u: any) => u.source_ID)).toEqual([alice]);
    expect(found.json[0].linked_accounts[0].community).toBe("town");
    expect((await asAdmin("GET", `${ID}/get_users?community=town&platform_type=github&platform_identifier=101&link_quality=unconfirmed`)).json).toEqual([]);
    expect((await asAdmin("GET", `${ID}/get_users?community=town&platform_type=github&platform_identifier=999`)).json).toEqual([]);
    expect((await asAdmin("GET", `${ID}/get_users?community=town&platform_identifier=101`)).status).toBe(400);
  });

  it("lists the community's linked members without a platform user, with the filters, a page at a time", async () => {
    // dave is linked but no member; bob is a member without links: neither is listed.
    expect((await link({ external_id: dave, platform_type: "github", platform_identifier: "303" })).status).toBe(200);
    const ids = async (query: string, key = adminKey) => {
      const answer = await call("GET", `${ID}/get_users?community=town${query}`, key);
      return answer.status === 200 ? answer.json.map((u: any) => u.source_ID) : answer.status;
    };
    expect((await usersPage("")).next).toBeNull();
    const all = await call("GET", `${ID}/get_users?community=town`, adminKey);
    expect(all).toEqual({ status: 200, json: [{ source_ID: alice, primary_ID: alice, linked_accounts: [expect.objectContaining({ platform_type: "discord", community: "town" }), expect.objectContaining({ platform_type: "github", platform_identifier: "101" })] }] });
    expect(await ids("&platform_type=discord")).toEqual([alice]);
    expect(await ids("&platform_type=slack")).toEqual([]);
    expect(await ids("&link_quality=unconfirmed")).toEqual([alice]);
    expect(await ids("&platform_type=github&link_type=email%20matching")).toEqual([]);
    expect(await ids("&link_type=oauth")).toEqual([]);

    // With carol linked too, pages of one member each walk the community through X-Next-Page-Token.
    expect((await link({ external_id: carol, platform_type: "github", platform_identifier: "404" })).status).toBe(200);
    const seen: string[] = [];
    let token: string | null = "";
    for (let pages = 0; token !== null; pages++) {
      expect(pages).toBeLessThan(6); // four members (the creator too), one a page
      const page = await usersPage(`&page_size=1${token ? `&page_token=${encodeURIComponent(token)}` : ""}`);
      expect(page.ids.length).toBeLessThanOrEqual(1);
      seen.push(...page.ids);
      token = page.next;
    }
    expect(seen.sort()).toEqual([alice, carol].sort());
    expect((await ids("&platform_type=github")).sort()).toEqual([alice, carol].sort());

    for (const bad of ["&page_size=0", "&page_size=101", "&page_size=ten", "&page_token=not-a-token"]) expect(await ids(bad)).toBe(400);
    expect((await call("GET", `${ID}/get_users`, adminKey)).status).toBe(400);
    expect(await call("GET", `${ID}/get_users?community=nowhere`, adminKey)).toMatchObject({ status: 400, json: { error: "Community 'nowhere' not found" } });
    // Another org's driver does not see this org's community; the resolver may not read people's links.
    expect(await ids("", metagov.apiKey)).toBe(400);
    expect(await ids("", resolverKey)).toBe(403);
  });

  it("filters a list of users by their links", async () => {
    const ids = (path: string) => asAdmin("GET", path).then((r) => (r.status === 200 ? r.json.map((u: any) => u.source_ID) : r.status));
    expect(await ids(`${ID}/filter_users_by_account?external_id_list=${alice},${bob}&platform_type=discord`)).toEqual([alice]);
    expect(await ids(`${ID}/filter_users_by_account?external_id_list=${encodeURIComponent(JSON.stringify([alice, bob]))}&link_type=email%20matching`)).toEqual([alice]);
    expect(await ids(`${ID}/filter_users_by_account?external_id_list=${alice},${bob}&platform_type=slack`)).toEqual([]);
    expect(await ids(`${ID}/filter_users_by_account?external_id_list=${alice},${bob}`)).toEqual([alice, bob]);
    expect(await ids(`${ID}/filter_users_by_account?external_id_list=[1,2]`)).toBe(400);
    expect(await ids(`${ID}/filter_users_by_account`)).toBe(400);
  });
});

describe("merging and unlinking", () => {
  it("merges the secondary user's links into the primary", async () => {
    expect((await link({ external_id: bob, platform_type: "slack", platform_identifier: "U-BOB" })).status).toBe(200);
    const merged = await asAdmin("POST", `${ID}/merge_ids`, { primary_instance_id: alice, secondary_instance_id: bob });
    expect(merged.status).toBe(200);
    expect(merged.json).toMatchObject({ moved: 1, source_ID: alice, primary_ID: alice });
    expect(merged.json.linked_accounts.map((a: any) => a.platform_type)).toEqual(["discord", "github", "slack"]);
    expect((await asAdmin("GET", `${ID}/get_user?external_id=${bob}`)).json.linked_accounts).toEqual([]);
    expect((await asAdmin("POST", `${ID}/merge_ids`, { primary_instance_id: alice, secondary_instance_id: alice })).status).toBe(400);
  });

  it("unlinks a platform account named by platform and identifier, once", async () => {
    const body = { community_slug: "town", platform_type: "github", platform_identifier: "101" };
    expect(await asAdmin("POST", `${ID}/unlink_account`, body)).toEqual({ status: 200, json: true });
    expect((await asAdmin("GET", `${ID}/get_users?community=town&platform_type=github&platform_identifier=101`)).json).toEqual([]);
    expect((await asAdmin("POST", `${ID}/unlink_account`, body)).status).toBe(404);
    expect((await call("POST", `${ID}/unlink_account`, resolverKey, { platform_type: "slack", platform_identifier: "U-BOB" })).status).toBe(403);
  });
});

it("never answered 500 nor logged an error", () => {
  expect(metagov.server.logs.filter((line) => line.includes('"status":500') || line.includes('"level":50'))).toEqual([]);
});
