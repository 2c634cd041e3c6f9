// What the other messaging areas read of contacts (recipients.ts), against the data a real server on
// PostgreSQL wrote and its directory (reached as a split mod tier would, over sys's CommunityService): a
// contact's or member's recipient with consent and opt-outs, a contact found by an address written any way, an
// opt-out that every later read honours, a working unsubscribe link, and blast pages across contacts and members.
// A member's name and verified email come from sys: in one process through the in-process directory (over sys's
// own tables), never an unverified email; a split mod without a credential gets public members' names only.
// The same reads run on PGlite.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { ContactService } from "../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { contactsArea } from "../../mod/messaging/contacts/area.js";
import { insertContact } from "../../mod/messaging/contacts/contact-writes.js";
import { findRecipientByAddress, loadRecipient, recordOptOut, selectRecipients, unsubscribeUrl, type Recipient } from "../../mod/messaging/contacts/recipients.js";
import type { MessagingDeps } from "../../mod/messaging/deps.js";
import { loadConfig } from "../../sys/core/config.js";
import { openDatabase, type Database } from "../../sys/core/db.js";
import { createRemoteDirectory } from "../../sys/core/ports/remote-directory.js";
import { Account, accountEntities } from "../../sys/account/index.js";
import { CommunityService } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { tableOf } from "../../sys/core/sql.js";
import { clientFor } from "../support/clients.js";
import { authzEntities } from "../../sys/authz/index.js";
import { communityEntities } from "../../sys/community/entities.js";
import { createInProcessDirectory } from "../../sys/community/index.js";
import type { SysContext } from "../../sys/core/sys-context.js";
import { signUpVerified } from "../support/people.js";
import { createKeyring } from "../../sys/core/secrets/keyring.js";
import { startCommunityStage } from "../support/communities.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import type { TestServer } from "../support/server.js";

const KEY = randomBytes(32);
const logger = pino({ level: "silent" });
const dataDir = mkdtempSync(join(tmpdir(), "polity-recipients-"));
const config = loadConfig({ env: { POLITY_DATA_DIR: dataDir, POLITY_OUTBOUND_ALLOW_PRIVATE: "true" } });

let database: TestDatabase;
let server: TestServer;
let admin: PolityClient;
let member: PolityClient;
let contacts: Client<typeof ContactService>;
let db: Database;
let directory: ReturnType<typeof createRemoteDirectory>;
let deps: MessagingDeps;
let sysDb: Database;
let oneProcess: MessagingDeps;
let unverifiedId: string;
let orgId: string;
let communityId: string;
let memberId: string;
let adminId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase("recipients");
  ({ server, admin, member, communityId } = await startCommunityStage(
    { email: "recipients-admin@example.org", password: "a long admin password" },
    { email: "recipients-member@example.org", password: "a long member password" },
    { DATABASE_URL: database.url, POLITY_SECRETS_KEY: KEY.toString("base64"), POLITY_OUTBOUND_ALLOW_PRIVATE: "true" },
  ));
  contacts = createClient(ContactService, admin.transport);
  orgId = (await admin.communities.getCommunity({ communityId })).community!.orgId;
  memberId = (await member.auth.whoAmI({})).accountId;
  adminId = (await admin.auth.whoAmI({})).accountId;
  db = await openDatabase({ tier: "mod", config, logger, entities: contactsArea.entities, migrations: [], url: database.url });
  directory = createRemoteDirectory({ sysUrl: server.url, logger });
  deps = { db, config, logger, directory, secrets: createKeyring({ current: KEY }), selfUrl: () => server.url } as unknown as MessagingDeps;
  // The directory a one-process host gives its mod tier, reading the tables the server's sys tier wrote.
  sysDb = await openDatabase({ tier: "sys", config, logger, entities: [...accountEntities, ...authzEntities, ...communityEntities], migrations: [], url: database.url });
  oneProcess = { ...deps, directory: createInProcessDirectory({ db: sysDb } as SysContext) } as MessagingDeps;

  const add = async (name: string, fields: Record<string, unknown>) => {
    ids[name] = (await contacts.createContact({ orgId, contact: { name, ...fields } })).contact!.id;
  };
  await add("Ada", {
    categories: ["board"],
    language: "fr-BE",
    timeZone: "Europe/Brussels",
    communityId,
    addresses: [
      { channel: Channel.EMAIL, address: "ada@example.org", consent: { granted: true, source: "form" } },
      { channel: Channel.SMS, address: "+32 470 55 55 01", consent: { granted: true, source: "form" } },
      { channel: Channel.TELEGRAM, address: "424242" },
    ],
  });
  await add("Bram", { categories: ["board", "press"], addresses: [{ channel: Channel.EMAIL, address: "bram@example.org" }] });
  await add("Cato", { categories: ["press"], communityId, addresses: [{ channel: Channel.EMAIL, address: "cato@example.org", consent: { granted: true, source: "form" } }] });
  await add("Gone", { addresses: [{ channel: Channel.EMAIL, address: "gone@example.org", consent: { granted: true, source: "form" } }] });
  await contacts.deleteContact({ orgId, contactId: ids.Gone! });
}, 60_000);

afterAll(async () => {
  await db?.close();
  await sysDb?.close();
  await directory?.close();
  await server?.stop();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const em = () => db.em();
const consented = (r: Recipient | undefined, channel: Channel) => r?.addresses.find((a) => a.channel === channel)?.consented;

describe("recipients", () => {
  it("loads a contact with its consent, and nothing for an erased one, another org's, or a stranger", async () => {
    const ada = await loadRecipient(deps, em(), orgId, { contactId: ids.Ada! });
    expect(ada).toMatchObject({ orgId, contactId: ids.Ada, name: "Ada", language: "fr-BE", timeZone: "Europe/Brussels", categories: ["board"], optedOut: [] });
    expect(ada!.addresses).toEqual([
      { channel: Channel.EMAIL, address: "ada@example.org", consented: true },
      { channel: Channel.SMS, address: "+32470555501", consented: true },
      { channel: Channel.TELEGRAM, address: "424242", consented: false },
    ]);
    expect(await loadRecipient(deps, em(), orgId, { contactId: ids.Gone! })).toBeUndefined();
    const otherOrg = (await admin.orgs.createOrg({ slug: "elsewhere", displayName: "Elsewhere" })).org!.id;
    expect(await loadRecipient(deps, em(), otherOrg, { contactId: ids.Ada! })).toBeUndefined();
    expect(await loadRecipient(deps, em(), orgId, { contactId: "not-a-uuid" })).toBeUndefined();
    expect(await loadRecipient(deps, em(), orgId, {})).toBeUndefined();
  });

  it("loads a community member through the directory, and nobody who is not one", async () => {
    const m = await loadRecipient(deps, em(), orgId, { member: { communityId, accountId: memberId } });
    expect(m).toMatchObject({ orgId, accountId: memberId, ref: { member: { communityId, accountId: memberId } }, optedOut: [] });
    expect(await loadRecipient(deps, em(), orgId, { member: { communityId, accountId: "00000000-0000-4000-8000-000000000000" } })).toBeUndefined();
    const otherOrg = (await admin.orgs.createOrg({ slug: "far", displayName: "Far" })).org!.id;
    expect(await loadRecipient(deps, em(), otherOrg, { member: { communityId, accountId: memberId } })).toBeUndefined();
  });

  it("gives a member their name and verified email in one process, consented by membership", async () => {
    const m = await loadRecipient(oneProcess, em(), orgId, { member: { communityId, accountId: memberId } });
    expect(m).toMatchObject({ accountId: memberId, name: "recipients-member", optedOut: [] });
    expect(m!.addresses).toEqual([{ channel: Channel.EMAIL, address: "recipients-member@example.org", consented: true }]);
    expect(await loadRecipient(oneProcess, em(), orgId, { member: { communityId, accountId: "00000000-0000-4000-8000-000000000000" } })).toBeUndefined();
    // A split mod asking without any credential reads a public community's names, never emails.
    const anonymous = await loadRecipient(deps, em(), orgId, { member: { communityId, accountId: memberId } });
    expect(anonymous).toMatchObject({ name: "recipients-member", addresses: [] });
  });

  it("never uses an email that is not verified", async () => {
    const person = await signUpVerified(server.url, server.logs, "recipients-unverified@example.org");
    unverifiedId = person.accountId;
    await clientFor(CommunityService, server.url, person.token).joinCommunity({ communityId });
    // An address changed and not yet confirmed: the account's email is unverified again.
    await sysDb.em().getConnection().execute(`update ${tableOf(sysDb.em(), Account)} set email_verified_at = null where id = ?`, [person.accountId]);
    const r = await loadRecipient(oneProcess, em(), orgId, { member: { communityId, accountId: person.accountId } });
    expect(r).toMatchObject({ accountId: person.accountId, name: "recipients-unverified", addresses: [] });
  });

  it("finds a contact by an address written in any accepted form", async () => {
    for (const written of ["+32470555501", "+32 470 55 55 01", "0032 470 555 501"]) {
      expect((await findRecipientByAddress(deps, em(), orgId, Channel.SMS, written))?.contactId).toBe(ids.Ada);
    }
    expect((await findRecipientByAddress(deps, em(), orgId, Channel.EMAIL, "bram@EXAMPLE.org"))?.contactId).toBe(ids.Bram);
    expect(await findRecipientByAddress(deps, em(), orgId, Channel.SMS, "+32470555599")).toBeUndefined();
    expect(await findRecipientByAddress(deps, em(), orgId, Channel.SMS, "STOP")).toBeUndefined();
    expect(await findRecipientByAddress(deps, em(), orgId, Channel.EMAIL, "gone@example.org")).toBeUndefined();
  });

  it("records an opt-out once, and every later read honours it until a grant", async () => {
    await recordOptOut(deps, em(), orgId, { contactId: ids.Ada! }, Channel.SMS, "sms:STOP");
    await recordOptOut(deps, em(), orgId, { contactId: ids.Ada! }, Channel.SMS, "sms:STOP");
    const ada = await loadRecipient(deps, em(), orgId, { contactId: ids.Ada! });
    expect(ada!.optedOut).toEqual([Channel.SMS]);
    expect(consented(ada, Channel.SMS)).toBe(false);
    expect(consented(ada, Channel.EMAIL)).toBe(true);
    const { events } = await contacts.listConsentEvents({ orgId, recipient: { target: { case: "contactId", value: ids.Ada! } } });
    expect(events.filter((e) => e.source === "sms:STOP")).toHaveLength(1);

    await recordOptOut(deps, em(), orgId, { member: { communityId, accountId: memberId } }, Channel.EMAIL, "unsubscribe-link");
    expect((await loadRecipient(deps, em(), orgId, { member: { communityId, accountId: memberId } }))!.optedOut).toEqual([Channel.EMAIL]);

    await contacts.setConsent({ orgId, recipient: { target: { case: "contactId", value: ids.Ada! } }, channel: Channel.SMS, granted: true, source: "texted START" });
    expect((await loadRecipient(deps, em(), orgId, { contactId: ids.Ada! }))!.optedOut).toEqual([]);
  });

  it("builds unsubscribe links on the server's URL that opt out when posted", async () => {
    const url = unsubscribeUrl(deps, orgId, { contactId: ids.Cato! }, Channel.EMAIL);
    expect(url.startsWith(`${server.url}/api/messaging/unsubscribe/`)).toBe(true);
    const answer = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(answer.status).toBe(200);
    expect((await loadRecipient(deps, em(), orgId, { contactId: ids.Cato! }))!.optedOut).toEqual([Channel.EMAIL]);
  });

  it("selects blast recipients page by page: contacts by category or channel consent, a community's contacts then its members", async () => {
    const all = async (filter: Parameters<typeof selectRecipients>[2], limit: number) => {
      const found: Recipient[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 50; pages++) {
        const page = await selectRecipients(deps, em(), filter, after, limit);
        found.push(...page.recipients);
        if (!page.next) return found;
        after = page.next;
      }
      throw new Error("selectRecipients never ended");
    };
    const names = (rs: Recipient[]) => rs.map((r) => (r.contactId ? r.name : r.accountId)).sort();
    expect(names(await all({ orgId, categories: ["board"] }, 1))).toEqual(["Ada", "Bram"]);
    expect(names(await all({ orgId, categories: ["board", "press"] }, 2))).toEqual(["Ada", "Bram", "Cato"]);
    // Bram never consented to email and Cato unsubscribed: only Ada may be emailed.
    expect(names(await all({ orgId, channel: Channel.EMAIL }, 1))).toEqual(["Ada"]);
    for (const limit of [1, 2, 3, 10]) {
      expect(names(await all({ orgId, communityId }, limit))).toEqual(["Ada", "Cato", adminId, memberId, unverifiedId].sort());
    }
    expect(await selectRecipients(deps, em(), { orgId }, "x:garbage", 10)).toEqual({ recipients: [] });
  });
});

describe("recipients on PGlite", () => {
  it("reads what the writes stored, categories included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "polity-recipients-pglite-"));
    const lite = await openDatabase({ tier: "mod", config: loadConfig({ env: { POLITY_DATA_DIR: dir } }), logger, entities: contactsArea.entities, migrations: contactsArea.migrations });
    try {
      await lite.migrate();
      const org = "11111111-1111-4111-8111-111111111111";
      const id = await lite.em().transactional((tx) =>
        insertContact(tx as never, org, {
          name: "Lite", communityId: "", language: "nl", timeZone: "", defaultRegion: "", categories: ["a \"quoted\" tag", "b,c"],
          addresses: [{ channel: Channel.EMAIL, address: "lite@example.org", consent: { granted: true, source: "t" } }],
        }, new Date()),
      );
      const liteDeps = { ...deps, db: lite } as MessagingDeps;
      const r = await loadRecipient(liteDeps, lite.em(), org, { contactId: id });
      expect(r).toMatchObject({ name: "Lite", categories: ["a \"quoted\" tag", "b,c"], addresses: [{ channel: Channel.EMAIL, address: "lite@example.org", consented: true }] });
      await recordOptOut(liteDeps, lite.em(), org, { contactId: id }, Channel.EMAIL, "t");
      expect((await findRecipientByAddress(liteDeps, lite.em(), org, Channel.EMAIL, "lite@example.org"))!.optedOut).toEqual([Channel.EMAIL]);
      expect((await selectRecipients(liteDeps, lite.em(), { orgId: org, categories: ["b,c"] }, undefined, 10)).recipients).toHaveLength(1);
    } finally {
      await lite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
