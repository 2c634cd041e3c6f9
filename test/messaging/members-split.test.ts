// Community members as recipients across polityd --tiers sys and --tiers mod, each on its own database. A mod
// worker's background work (a blast, a notification, a retried send) has no caller: its remote directory asks
// sys as the mod tier's service account (modServiceApiKey, holding platform.mod_tier), which may read members of
// members-only communities and their verified emails. A caller's own bearer still comes first (their
// permissions apply), a service account without the role is refused in so many words, and without a key a
// members-only community stays hidden as before. End to end: a message sent to a member through the mod process
// is delivered by a --tiers worker process, by email to the member's verified address, at a local SMTP peer.
import { randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { MessageService } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { ProviderService } from "../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { ContactService } from "../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { contactsArea } from "../../mod/messaging/contacts/area.js";
import { loadRecipient } from "../../mod/messaging/contacts/recipients.js";
import type { MessagingDeps } from "../../mod/messaging/deps.js";
import { loadConfig } from "../../sys/core/config.js";
import { openDatabase, type Database } from "../../sys/core/db.js";
import { createRemoteDirectory } from "../../sys/core/ports/remote-directory.js";
import { refusal } from "../../sys/identity/test-support.js";
import { clientFor } from "../support/clients.js";
import { type Person, signIn, signUpVerified } from "../support/people.js";
import { startSmtpPeer, type SmtpPeer } from "../fakes/smtp-peer.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { until } from "./messages-stage.js";
import { startProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "root@members-split.example.org", password: "root password 123" };
const logger = pino({ level: "silent" });

describe("members as recipients across polityd --tiers sys and --tiers mod", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer, worker: TestServer | undefined;
  let smtp: SmtpPeer;
  let db: Database;
  let admin: Person, alice: Person, stranger: Person;
  let orgId = "", communityId = "";
  let modKey = "", resolverKey = "";
  const ports: Array<{ close(): Promise<void> }> = [];
  const directory = (serviceApiKey?: string) => {
    const port = createRemoteDirectory({ sysUrl: sys.url, logger, serviceApiKey, timeoutMs: 2000 });
    ports.push(port);
    return port;
  };
  // What a mod worker's messaging sees: its own database, sys's directory over the network.
  const depsWith = (serviceApiKey?: string) => ({ db, logger, directory: directory(serviceApiKey) }) as unknown as MessagingDeps;
  const aliceRef = () => ({ member: { communityId, accountId: alice.accountId } });
  const secretsKey = randomBytes(32).toString("base64");
  const modEnv = () => ({
    DATABASE_URL: modDb.url, POLITY_MOD_SERVICE_API_KEY: modKey, POLITY_SECRETS_KEY: secretsKey, POLITY_OUTBOUND_ALLOW_PRIVATE: "true",
    POLITY_PUBLIC_URL: "http://polity.example", POLITY_JOB_POLL_INTERVAL_MS: "500",
  });

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    [sysDb, modDb] = await Promise.all([createTestDatabase("members_split_sys"), createTestDatabase("members_split_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    admin = await signIn(sys.url, ADMIN.email, ADMIN.password);
    alice = await signUpVerified(sys.url, sys.logs, "alice@members-split.example.org");
    stranger = await signUpVerified(sys.url, sys.logs, "stranger@members-split.example.org");
    orgId = (await clientFor(OrgProjectService, sys.url, admin.token).createOrg({ slug: "members", displayName: "Members" })).org!.id;
    communityId = (
      await clientFor(CommunityService, sys.url, admin.token).createCommunity({ orgId, slug: "inner", name: "Inner circle", visibility: Visibility.MEMBERS_ONLY, joinPolicy: JoinPolicy.OPEN })
    ).community!.id;
    await clientFor(CommunityService, sys.url, alice.token).joinCommunity({ communityId });
    // The operator's mod credential: a service account given platform.mod_tier; and one given only the identity role.
    const accounts = clientFor(AccountService, sys.url, admin.token);
    const authz = clientFor(AuthzService, sys.url, admin.token);
    const modBot = await accounts.createServiceAccount({ orgId, displayName: "mod tier", role: "guest" });
    await authz.grantRole({ accountId: modBot.serviceAccount!.id, role: "platform.mod_tier", resource: "platform" });
    modKey = modBot.apiKeySecret;
    const resolverBot = await accounts.createServiceAccount({ orgId, displayName: "resolver only", role: "guest" });
    await authz.grantRole({ accountId: resolverBot.serviceAccount!.id, role: "platform.identity_resolver", resource: "platform" });
    resolverKey = resolverBot.apiKeySecret;
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], modEnv());
    db = await openDatabase({ tier: "mod", config: loadConfig({ env: {} }), logger, entities: contactsArea.entities, migrations: [], url: modDb.url });
  }, 120_000);

  afterAll(async () => {
    for (const port of ports) await port.close();
    await db?.close();
    await worker?.stop();
    await mod?.stop();
    await smtp?.close();
    await sys?.stop();
    await sysDb?.drop();
    await modDb?.drop();
  });

  it("loads a member of a members-only community without a caller, as the mod tier's service account", async () => {
    const r = await loadRecipient(depsWith(modKey), db.em(), orgId, aliceRef());
    expect(r).toMatchObject({ orgId, accountId: alice.accountId, name: "alice", optedOut: [] });
    expect(r!.addresses).toEqual([{ channel: Channel.EMAIL, address: "alice@members-split.example.org", consented: true }]);
    expect(await loadRecipient(depsWith(modKey), db.em(), orgId, { member: { communityId, accountId: stranger.accountId } })).toBeUndefined();
    // The community is not that org's: nobody there is its member.
    expect(await loadRecipient(depsWith(modKey), db.em(), crypto.randomUUID(), aliceRef())).toBeUndefined();
  });

  it("asks as the caller when there is one: their permissions apply, not the service account's", async () => {
    const port = directory(modKey);
    expect(await port.profilesOf(communityId, [alice.accountId], admin.token)).toEqual([{ accountId: alice.accountId, displayName: "alice", email: "alice@members-split.example.org" }]);
    // A member reads the names of fellow members, never their emails.
    expect(await port.profilesOf(communityId, [alice.accountId], alice.token)).toEqual([{ accountId: alice.accountId, displayName: "alice" }]);
    // A stranger may not read the community at all: nobody is a member as far as they are told.
    expect(await port.profilesOf(communityId, [alice.accountId], stranger.token)).toEqual([]);
    expect(await port.isMember(communityId, alice.accountId, stranger.token)).toBe(false);
    expect(await loadRecipient(depsWith(modKey), db.em(), orgId, aliceRef(), stranger.token)).toBeUndefined();
  });

  it("refuses a service account without platform.mod_tier, and says which key sys did not take", async () => {
    expect(await refusal(loadRecipient(depsWith(resolverKey), db.em(), orgId, aliceRef()))).toEqual([Code.PermissionDenied, "MOD_SERVICE_ROLE_MISSING"]);
    expect(await refusal(directory(resolverKey).profilesOf(communityId, [alice.accountId]))).toEqual([Code.PermissionDenied, "MOD_SERVICE_ROLE_MISSING"]);
    expect(await refusal(loadRecipient(depsWith("polity_sk_not-a-real-key-at-all"), db.em(), orgId, aliceRef()))).toEqual([Code.Unavailable, "DIRECTORY_CREDENTIALS_REFUSED"]);
  });

  it("keeps a members-only community hidden from background work when no key is configured", async () => {
    expect(await loadRecipient(depsWith(undefined), db.em(), orgId, aliceRef())).toBeUndefined();
    expect(await directory(undefined).profilesOf(communityId, [alice.accountId])).toEqual([]);
  });

  it("lists a members-only community's members with emails for the org's admin through the mod process", async () => {
    const { members } = await clientFor(ContactService, mod.url, admin.token).listMemberRecipients({ orgId, communityId });
    expect(members.map((m) => [m.accountId, m.displayName, m.email, m.emailConsented])).toEqual(
      expect.arrayContaining([[alice.accountId, "alice", "alice@members-split.example.org", true]]),
    );
  });

  it("delivers a message to a member by email from a worker process, which has no caller to ask as", async () => {
    const providers = clientFor(ProviderService, mod.url, admin.token);
    const { provider } = await providers.createProvider({
      orgId, kind: "email", name: "smtp", config: { host: smtp.host, port: smtp.port, secure: false, from: "Polity <noreply@polity.example>", timeoutSeconds: 5 },
    });
    await providers.setChain({ orgId, scope: { scope: { case: "orgDefault", value: true } }, providerIds: [provider!.id] });
    worker = await startProcessServer(["--tiers", "worker", "--sys-url", sys.url], modEnv());
    const messages = clientFor(MessageService, mod.url, admin.token);
    const before = smtp.messages.length;
    const { message } = await messages.sendMessage({
      orgId, recipient: { recipient: { case: "member", value: { communityId, accountId: alice.accountId } } }, content: { case: "message", value: { subject: "Inner circle", text: "See you Thursday" } },
    });
    const sent = await until(() => messages.getMessage({ orgId, messageId: message!.id }), (r) => [MessageState.SENT, MessageState.FAILED].includes(r.message!.state), 30_000);
    expect(sent.message!.state).toBe(MessageState.SENT);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.to).toEqual(["alice@members-split.example.org"]);
    expect(mail!.parsed.text?.trim()).toBe("See you Thursday");
  }, 60_000);
});
