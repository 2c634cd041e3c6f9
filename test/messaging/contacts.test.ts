// Contacts and consent end to end on a real server on PostgreSQL: CRUD and erasure, addresses in one written form
// (E.164 from national and international input), consent history, CSV import with per-row errors and a dry
// run, an export that imports back to the same file, community members as recipients, RFC 8058 one-click
// unsubscribe (POST honoured, GET not), and one org's contacts hidden from another.
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { ConsentChange, ContactService, type Contact } from "../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { sealUnsubscribeToken } from "../../mod/messaging/contacts/unsubscribe-token.js";
import { createKeyring } from "../../sys/core/secrets/keyring.js";
import { startCommunityStage } from "../support/communities.js";
import { reasonOf, rejection } from "../support/failures.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import type { TestServer } from "../support/server.js";

const KEY = randomBytes(32);
const keyring = createKeyring({ current: KEY });

let database: TestDatabase;
let server: TestServer;
let admin: PolityClient;
let member: PolityClient;
let contacts: Client<typeof ContactService>;
let orgId: string;
let otherOrgId: string;
let communityId: string;
let adminId: string;
let memberId: string;

beforeAll(async () => {
  database = await createTestDatabase("contacts");
  ({ server, admin, member, communityId } = await startCommunityStage(
    { email: "contacts-admin@example.org", password: "a long admin password" },
    { email: "contacts-member@example.org", password: "a long member password" },
    { DATABASE_URL: database.url, POLITY_SECRETS_KEY: KEY.toString("base64"), POLITY_OUTBOUND_ALLOW_PRIVATE: "true" },
  ));
  contacts = createClient(ContactService, admin.transport);
  orgId = (await admin.communities.getCommunity({ communityId })).community!.orgId;
  otherOrgId = (await admin.orgs.createOrg({ slug: "inland", displayName: "Inland" })).org!.id;
  adminId = (await admin.auth.whoAmI({})).accountId;
  memberId = (await member.auth.whoAmI({})).accountId;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

const address = (c: Contact | undefined, channel: Channel) => c?.addresses.find((a) => a.channel === channel);
const csvOf = (text: string) => new TextEncoder().encode(text);

async function exportCsv(org: string, category = ""): Promise<string> {
  let text = "";
  for await (const { chunk } of contacts.exportContacts({ orgId: org, category })) text += new TextDecoder().decode(chunk);
  return text;
}

describe("contacts", () => {
  it("creates, reads, updates by mask or whole, and erases a contact", async () => {
    const { contact } = await contacts.createContact({
      orgId,
      contact: {
        name: " Ann Peeters ",
        defaultRegion: "be",
        language: "pt-br",
        timeZone: "europe/brussels",
        categories: ["volunteers", " board "],
        communityId,
        addresses: [
          { channel: Channel.EMAIL, address: "Ann@Example.ORG", consent: { granted: true, source: "paper form" } },
          { channel: Channel.SMS, address: "0470 12 34 56" },
        ],
      },
    });
    expect(contact).toMatchObject({ orgId, name: "Ann Peeters", language: "pt-BR", timeZone: "Europe/Brussels", defaultRegion: "BE", categories: ["volunteers", "board"], communityId });
    expect(address(contact, Channel.EMAIL)).toMatchObject({ address: "Ann@example.org", consent: { granted: true, source: "paper form" } });
    expect(address(contact, Channel.SMS)).toMatchObject({ address: "+32470123456", consent: { granted: false } });

    const { contact: read } = await contacts.getContact({ orgId, contactId: contact!.id });
    expect(read).toEqual(contact);

    const { contact: renamed } = await contacts.updateContact({ orgId, contact: { id: contact!.id, name: "Ann P." }, updateMask: create(FieldMaskSchema, { paths: ["name"] }) });
    expect(renamed).toMatchObject({ name: "Ann P.", language: "pt-BR", categories: ["volunteers", "board"] });
    expect(renamed!.addresses).toEqual(contact!.addresses);

    // No mask: every writable field is replaced; the kept email keeps its consent, the dropped phone is gone.
    const { contact: replaced } = await contacts.updateContact({
      orgId,
      contact: { id: contact!.id, name: "Ann", addresses: [{ channel: Channel.EMAIL, address: "Ann@EXAMPLE.org" }, { channel: Channel.TELEGRAM, address: "-1001234567" }] },
    });
    expect(replaced).toMatchObject({ name: "Ann", language: "", timeZone: "", categories: [], communityId: "" });
    expect(address(replaced, Channel.EMAIL)?.consent).toMatchObject({ granted: true, source: "paper form" });
    expect(address(replaced, Channel.TELEGRAM)?.address).toBe("-1001234567");
    expect(address(replaced, Channel.SMS)).toBeUndefined();

    const unknownPath = await rejection(contacts.updateContact({ orgId, contact: { id: contact!.id }, updateMask: create(FieldMaskSchema, { paths: ["created_at"] }) }));
    expect(unknownPath.code).toBe(Code.InvalidArgument);

    await contacts.deleteContact({ orgId, contactId: contact!.id });
    expect((await rejection(contacts.getContact({ orgId, contactId: contact!.id }))).code).toBe(Code.NotFound);
    expect((await rejection(contacts.deleteContact({ orgId, contactId: contact!.id }))).code).toBe(Code.NotFound);
    const { contacts: listed } = await contacts.listContacts({ orgId, query: "ann" });
    expect(listed.map((c) => c.id)).not.toContain(contact!.id);
    // The erased contact's addresses are free again.
    await contacts.createContact({ orgId, contact: { name: "Ann again", addresses: [{ channel: Channel.EMAIL, address: "ann@example.org" }] } });
  });

  it("normalises phone numbers to E.164 and says which address is invalid and why", async () => {
    const phone = async (raw: string, defaultRegion = "") =>
      address((await contacts.createContact({ orgId, contact: { name: raw, defaultRegion, addresses: [{ channel: Channel.SMS, address: raw }] } })).contact, Channel.SMS)?.address;
    expect(await phone("+44 20 7946 0958")).toBe("+442079460958");
    expect(await phone("0032 471 23 45 67")).toBe("+32471234567");
    expect(await phone("(202) 555-0143", "US")).toBe("+12025550143");
    expect(await phone("06 12 34 56 78", "fr")).toBe("+33612345678");

    const invalid = async (channel: Channel, raw: string, defaultRegion = "") => {
      const error = await rejection(contacts.createContact({ orgId, contact: { name: "x", defaultRegion, addresses: [{ channel, address: raw }] } }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(reasonOf(error)).toBe("INVALID_ADDRESS");
      expect(error.rawMessage).toContain(JSON.stringify(raw));
      return error.rawMessage;
    };
    expect(await invalid(Channel.SMS, "0470 12 34 56")).toContain("default region");
    expect(await invalid(Channel.SMS, "+32 12")).toContain("not a valid phone number");
    expect(await invalid(Channel.SMS, "12", "BE")).toContain("phone number");
    expect(await invalid(Channel.EMAIL, "ann@")).toContain("name@domain");
    expect(await invalid(Channel.EMAIL, "ann@example")).toContain("domain");
    expect(await invalid(Channel.TELEGRAM, "@ann")).toContain("integer");
    expect(await invalid(Channel.WEBHOOK, "http://example.org/hook")).toContain("https");
    expect(await invalid(Channel.SLACK, "#general")).toContain("Slack");
    expect(await invalid(Channel.DISCORD, "123")).toContain("Discord");

    // Loopback http is allowed here only because this server lets outbound calls reach private addresses.
    const { contact } = await contacts.createContact({ orgId, contact: { name: "hook", addresses: [{ channel: Channel.WEBHOOK, address: "http://127.0.0.1:9/hook" }] } });
    expect(address(contact, Channel.WEBHOOK)?.address).toBe("http://127.0.0.1:9/hook");

    const zone = await rejection(contacts.createContact({ orgId, contact: { name: "z", timeZone: "Mars/Olympus" } }));
    expect(reasonOf(zone)).toBe("INVALID_TIME_ZONE");
    const taken = await rejection(contacts.createContact({ orgId, contact: { name: "dup", addresses: [{ channel: Channel.SMS, address: "+442079460958" }] } }));
    expect([taken.code, reasonOf(taken)]).toEqual([Code.AlreadyExists, "ADDRESS_TAKEN"]);
    const twice = await rejection(contacts.createContact({ orgId, contact: { name: "two", addresses: [{ channel: Channel.EMAIL, address: "a@b.org" }, { channel: Channel.EMAIL, address: "c@d.org" }] } }));
    expect(twice.code).toBe(Code.InvalidArgument);
  });

  it("keeps every consent decision with its source and time", async () => {
    const { contact } = await contacts.createContact({
      orgId,
      contact: { name: "Consenting", addresses: [{ channel: Channel.EMAIL, address: "consent@example.org", consent: { granted: true, source: "signup form" } }] },
    });
    const ref = { target: { case: "contactId" as const, value: contact!.id } };
    const withdrawn = await contacts.setConsent({ orgId, recipient: ref, channel: Channel.EMAIL, granted: false, source: "phone call" });
    expect(withdrawn.event).toMatchObject({ channel: Channel.EMAIL, change: ConsentChange.WITHDRAWN, source: "phone call" });
    const granted = await contacts.setConsent({ orgId, recipient: ref, channel: Channel.EMAIL, granted: true });
    expect(granted.event).toMatchObject({ change: ConsentChange.GRANTED, source: `admin:${adminId}` });

    const { events } = await contacts.listConsentEvents({ orgId, recipient: ref });
    expect(events.map((e) => [e.change, e.source])).toEqual([
      [ConsentChange.GRANTED, "signup form"],
      [ConsentChange.WITHDRAWN, "phone call"],
      [ConsentChange.GRANTED, `admin:${adminId}`],
    ]);
    const page = await contacts.listConsentEvents({ orgId, recipient: ref, pageSize: 2 });
    const rest = await contacts.listConsentEvents({ orgId, recipient: ref, pageToken: page.nextPageToken });
    expect([...page.events, ...rest.events].map((e) => e.id)).toEqual(events.map((e) => e.id));

    const ancient = await rejection(contacts.setConsent({ orgId, recipient: ref, channel: Channel.EMAIL, granted: true, at: { seconds: -99999999999n, nanos: 0 } }));
    expect(ancient.code).toBe(Code.InvalidArgument);
    const everyone = await contacts.listConsentEvents({ orgId, pageSize: 200 });
    expect(everyone.events.map((e) => e.id)).toEqual(expect.arrayContaining(events.map((e) => e.id)));
    const noAddress = await rejection(contacts.setConsent({ orgId, recipient: ref, channel: Channel.SMS, granted: true }));
    expect([noAddress.code, reasonOf(noAddress)]).toEqual([Code.FailedPrecondition, "NO_ADDRESS"]);
  });

  it("imports CSV rows, reporting each invalid row with its number and reason, and writes nothing on a dry run", async () => {
    await contacts.createContact({ orgId, contact: { name: "Existing", addresses: [{ channel: Channel.EMAIL, address: "existing@example.org" }] } });
    const csv = [
      "Name,Email,Phone,categories,language,time_zone,default_region,consent_email,community_id",
      "Bea,bea@example.org,+32 470 00 00 01,import;board,nl-be,Europe/Brussels,,yes,",
      "Cas,cas@example.org,0470 00 00 02,import,,,BE,no,",
      "Dirk,dirk@,,import,,,,,",
      "Eva,eva@example.org,0470 00 00 03,import,,,,,",
      "",
      "Fien,bea@EXAMPLE.org,,import,,,,,",
      "Gust,existing@example.org,,import,,,,,",
      "Hanne,hanne@example.org,,import,,,,,00000000-0000-4000-8000-000000000000",
      "Ilse,ilse@example.org,,import,,Mars/Olympus,,,",
      "Jan,jan@example.org",
      `"Kim ""K""",kim@example.org,,import,,,,yes,${communityId}`,
    ].join("\r\n");
    const expectedErrors = [
      { row: 4, column: "email" },
      { row: 5, column: "phone" },
      { row: 7, column: "email" },
      { row: 8, column: "email" },
      { row: 9, column: "community_id" },
      { row: 10, column: "time_zone" },
      { row: 11, column: "" },
    ];
    const before = (await contacts.listContacts({ orgId, category: "import" })).contacts.length;
    const dry = await contacts.importContacts({ orgId, csv: csvOf(csv), dryRun: true });
    expect(dry).toMatchObject({ rows: 10, created: 3, dryRun: true });
    expect(dry.errors.map((e) => ({ row: e.row, column: e.column }))).toEqual(expectedErrors);
    expect(dry.errors.every((e) => e.reason.length > 0)).toBe(true);
    expect(dry.errors[2]!.reason).toContain("row 2");
    expect(dry.errors[3]!.reason).toContain("already belongs to contact");
    expect((await contacts.listContacts({ orgId, category: "import" })).contacts).toHaveLength(before);

    const done = await contacts.importContacts({ orgId, csv: csvOf(csv), consentSource: "spring drive" });
    expect(done).toMatchObject({ rows: 10, created: 3, dryRun: false });
    expect(done.errors.map((e) => ({ row: e.row, column: e.column }))).toEqual(expectedErrors);
    const byName = (a: Contact, b: Contact) => (a.name < b.name ? -1 : 1);
    const imported = (await contacts.listContacts({ orgId, category: "import" })).contacts.sort(byName);
    expect(imported.map((c) => c.name).sort()).toEqual(["Bea", "Cas", 'Kim "K"']);
    expect(address(imported[0], Channel.EMAIL)?.consent).toMatchObject({ granted: true, source: "spring drive" });
    expect(imported[0]).toMatchObject({ language: "nl-BE", timeZone: "Europe/Brussels", categories: ["import", "board"] });
    expect(address(imported[1], Channel.SMS)?.address).toBe("+32470000002");
    expect(address(imported[1], Channel.EMAIL)?.consent?.granted).toBe(false);
    expect(imported[2]!.communityId).toBe(communityId);

    // Importing the same file again: every row's address is now taken.
    const again = await contacts.importContacts({ orgId, csv: csvOf(csv), dryRun: true });
    expect(again.created).toBe(0);

    const unknown = await rejection(contacts.importContacts({ orgId, csv: csvOf("name,emial\nx,x@example.org\n") }));
    expect([unknown.code, reasonOf(unknown)]).toEqual([Code.InvalidArgument, "UNKNOWN_COLUMN"]);
    const broken = await contacts.importContacts({ orgId, csv: csvOf('name,email\nLeo,leo@example.org\n"Mia,mia@example.org\nNoor,noor@example.org\n'), dryRun: true });
    expect(broken.created).toBe(1);
    expect(broken.errors).toMatchObject([{ row: 3 }]);
    const nul = await contacts.importContacts({ orgId, csv: csvOf("name,email\nNu\u0000l,nul@example.org\n") });
    expect(nul).toMatchObject({ created: 0, errors: [{ row: 2, column: "name" }] });
  });

  it("exports CSV that imports back to the same file", async () => {
    const { contact: opted } = await contacts.createContact({
      orgId,
      contact: {
        name: "=HYPERLINK(\"http://evil\")",
        categories: ["roundtrip", "a;b".replace(";", "-")],
        language: "fr",
        defaultRegion: "BE",
        addresses: [
          { channel: Channel.EMAIL, address: "rt1@example.org", consent: { granted: true, source: "x" } },
          { channel: Channel.SMS, address: "+32470999001", consent: { granted: true, source: "x" } },
          { channel: Channel.SLACK, address: "U01ABCDEF" },
        ],
      },
    });
    await contacts.createContact({ orgId, contact: { name: "Ré Ünicode, with comma", categories: ["roundtrip"], communityId, addresses: [{ channel: Channel.DISCORD, address: "123456789012345678" }] } });
    await contacts.setConsent({ orgId, recipient: { target: { case: "contactId", value: opted!.id } }, channel: Channel.SMS, granted: false });
    await unsubscribe(sealUnsubscribeToken(keyring, { orgId, ref: { contactId: opted!.id }, channel: Channel.EMAIL }));

    const first = await exportCsv(orgId, "roundtrip");
    const rows = parse(first, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ name: "'=HYPERLINK(\"http://evil\")", email: "rt1@example.org", phone: "+32470999001", consent_email: "no", consent_phone: "no", opted_out: "email" });

    for (const c of (await contacts.listContacts({ orgId, category: "roundtrip" })).contacts) await contacts.deleteContact({ orgId, contactId: c.id });
    const result = await contacts.importContacts({ orgId, csv: csvOf(first) });
    expect(result).toMatchObject({ rows: 2, created: 2, errors: [] });
    // Rows created in one import share their creation time, so only the order may differ.
    const lines = (text: string) => text.split("\r\n").slice(1).sort();
    const second = await exportCsv(orgId, "roundtrip");
    expect(second.split("\r\n")[0]).toBe(first.split("\r\n")[0]);
    expect(lines(second)).toEqual(lines(first));
    const back = (await contacts.listContacts({ orgId, category: "roundtrip" })).contacts.find((c) => c.name.startsWith("="));
    expect(back!.name).toBe("=HYPERLINK(\"http://evil\")");
    expect(back!.optedOut).toEqual([Channel.EMAIL]);
  });

  it("lists community members as recipients without copying them, with their opt-outs", async () => {
    const { members } = await contacts.listMemberRecipients({ orgId, communityId });
    expect(members.map((m) => m.accountId).sort()).toEqual([adminId, memberId].sort());
    expect(members.every((m) => m.emailConsented && m.optedOut.length === 0)).toBe(true);

    const ref = { target: { case: "member" as const, value: { communityId, accountId: memberId } } };
    await contacts.setConsent({ orgId, recipient: ref, channel: Channel.EMAIL, granted: false, source: "asked at a meeting" });
    const after = (await contacts.listMemberRecipients({ orgId, communityId })).members.find((m) => m.accountId === memberId);
    expect(after).toMatchObject({ emailConsented: false, optedOut: [Channel.EMAIL] });
    const { events } = await contacts.listConsentEvents({ orgId, recipient: ref });
    expect(events.map((e) => [e.change, e.source])).toEqual([[ConsentChange.WITHDRAWN, "asked at a meeting"]]);

    const paged = await contacts.listMemberRecipients({ orgId, communityId, pageSize: 1 });
    const rest = await contacts.listMemberRecipients({ orgId, communityId, pageToken: paged.nextPageToken });
    expect([...paged.members, ...rest.members].map((m) => m.accountId)).toEqual(members.map((m) => m.accountId));

    expect((await rejection(contacts.listMemberRecipients({ orgId: otherOrgId, communityId }))).code).toBe(Code.NotFound);
    const stranger = { target: { case: "member" as const, value: { communityId, accountId: "00000000-0000-4000-8000-000000000000" } } };
    expect((await rejection(contacts.setConsent({ orgId, recipient: stranger, channel: Channel.EMAIL, granted: false }))).code).toBe(Code.NotFound);
  });

  it("honours a one-click unsubscribe POST, never a GET, and refuses a bad token", async () => {
    const { contact } = await contacts.createContact({
      orgId,
      contact: { name: "Unsub", addresses: [{ channel: Channel.EMAIL, address: "unsub@example.org", consent: { granted: true, source: "form" } }] },
    });
    const token = sealUnsubscribeToken(keyring, { orgId, ref: { contactId: contact!.id }, channel: Channel.EMAIL });
    const url = `${server.url}/api/messaging/unsubscribe/${token}`;

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await page.text()).toMatch(/<form method="post">[\s\S]*List-Unsubscribe[\s\S]*One-Click/);
    expect((await contacts.getContact({ orgId, contactId: contact!.id })).contact!.optedOut).toEqual([]);

    const wrongBody = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=Later" });
    expect(wrongBody.status).toBe(400);

    expect((await unsubscribe(token)).status).toBe(200);
    expect((await unsubscribe(token)).status).toBe(200);
    const { contact: after } = await contacts.getContact({ orgId, contactId: contact!.id });
    expect(after!.optedOut).toEqual([Channel.EMAIL]);
    expect(address(after, Channel.EMAIL)?.consent).toMatchObject({ granted: false, source: "unsubscribe-link" });
    const { events } = await contacts.listConsentEvents({ orgId, recipient: { target: { case: "contactId", value: contact!.id } } });
    expect(events.map((e) => e.change)).toEqual([ConsentChange.GRANTED, ConsentChange.OPTED_OUT]);

    // Multipart form data (RFC 8058 allows it) works too, here for a community member.
    const memberToken = sealUnsubscribeToken(keyring, { orgId, ref: { member: { communityId, accountId: adminId } }, channel: Channel.EMAIL });
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    expect((await fetch(`${server.url}/api/messaging/unsubscribe/${memberToken}`, { method: "POST", body: form })).status).toBe(200);
    const me = (await contacts.listMemberRecipients({ orgId, communityId })).members.find((m) => m.accountId === adminId);
    expect(me?.optedOut).toEqual([Channel.EMAIL]);

    const foreign = createKeyring({ current: randomBytes(32) });
    for (const bad of ["nonsense", token.slice(0, -4) + "AAAA", sealUnsubscribeToken(foreign, { orgId, ref: { contactId: contact!.id }, channel: Channel.EMAIL }), keyring.seal("[]", "messaging/unsubscribe/v1")]) {
      expect((await fetch(`${server.url}/api/messaging/unsubscribe/${bad}`)).status).toBe(404);
      expect((await unsubscribe(bad)).status).toBe(404);
    }
  });

  it("does not show one org's contacts to another org or to a member", async () => {
    const { contact: mine } = await contacts.createContact({ orgId, contact: { name: "Only in Coast", addresses: [{ channel: Channel.EMAIL, address: "coast-only@example.org" }] } });
    const { contact: theirs } = await contacts.createContact({ orgId: otherOrgId, contact: { name: "Only in Inland", addresses: [{ channel: Channel.EMAIL, address: "coast-only@example.org" }] } });
    const listA = (await contacts.listContacts({ orgId, pageSize: 200 })).contacts.map((c) => c.id);
    const listB = (await contacts.listContacts({ orgId: otherOrgId, pageSize: 200 })).contacts.map((c) => c.id);
    expect(listA).toContain(mine!.id);
    expect(listA).not.toContain(theirs!.id);
    expect(listB).toEqual([theirs!.id]);
    expect((await rejection(contacts.getContact({ orgId: otherOrgId, contactId: mine!.id }))).code).toBe(Code.NotFound);
    expect(await exportCsv(otherOrgId)).not.toContain("Only in Coast");

    const asMember = createClient(ContactService, member.transport);
    expect((await rejection(asMember.listContacts({ orgId }))).code).toBe(Code.PermissionDenied);
    expect((await rejection(asMember.getContact({ orgId, contactId: mine!.id }))).code).toBe(Code.PermissionDenied);
  });

  it("pages through contacts and refuses a forged page token", async () => {
    const all = (await contacts.listContacts({ orgId, pageSize: 200 })).contacts.map((c) => c.id);
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await contacts.listContacts({ orgId, pageSize: 3, pageToken });
      seen.push(...page.contacts.map((c) => c.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(all);
    const forged = await rejection(contacts.listContacts({ orgId, pageToken: "bm90IGEgdG9rZW4" }));
    expect(reasonOf(forged)).toBe("INVALID_PAGE_TOKEN");
  });
});

function unsubscribe(token: string) {
  return fetch(`${server.url}/api/messaging/unsubscribe/${token}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });
}
