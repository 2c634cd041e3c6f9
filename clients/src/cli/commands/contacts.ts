// polity contacts add | list | show | update | remove | consent | import FILE | export: an org's contacts, their
// addresses and consent per channel, and CSV in and out. Community members are listed with --members COMMUNITY
// (they are never copied into contacts) and their consent is set with `consent --community COMMUNITY`.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { createClient, type Client } from "@connectrpc/connect";
import { Channel } from "../../gen/polity/mod/messaging/v1/common_pb.js";
import {
  ConsentChange, ContactService, CreateContactResponseSchema, GetContactResponseSchema, ImportContactsResponseSchema,
  ListContactsResponseSchema, ListMemberRecipientsResponseSchema, SetConsentResponseSchema, UpdateContactResponseSchema,
  type Contact, type ContactAddress, type RecipientRef,
} from "../../gen/polity/mod/messaging/v1/contacts_pb.js";
import { action, type Session } from "../session.js";
import { ExitStatus, EXIT, UsageError } from "../exit.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { isUuid, listAll, pick, resolveAccount, resolveCommunity, resolveOrg } from "../resolve.js";
import type { Io } from "../io.js";

type Contacts = Client<typeof ContactService>;
type OrgFlag = { org: string };
type AddressFlags = { email?: string; phone?: string; telegram?: string; webhook?: string; slack?: string; discord?: string };
type FieldFlags = AddressFlags & { category?: string[]; language?: string; timeZone?: string; region?: string; community?: string; consent?: string[]; consentSource?: string };

const clients = new WeakMap<Session, Contacts>();
function contacts(s: Session): Contacts {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(ContactService, s.client.transport)));
  return client;
}

// Flag (and CSV column) name → channel; "sms" is accepted for "phone".
const ADDRESS_FLAGS: Array<[keyof AddressFlags, Channel]> = [
  ["email", Channel.EMAIL], ["phone", Channel.SMS], ["telegram", Channel.TELEGRAM], ["webhook", Channel.WEBHOOK], ["slack", Channel.SLACK], ["discord", Channel.DISCORD],
];
const channelName = (c: Channel): string => ADDRESS_FLAGS.find(([, ch]) => ch === c)?.[0] ?? String(c);

function channelOf(text: string): Channel {
  const name = text.trim().toLowerCase();
  const found = ADDRESS_FLAGS.find(([flag]) => flag === name)?.[1] ?? (name === "sms" ? Channel.SMS : undefined);
  if (found === undefined) throw new UsageError(`"${text}" is not a channel; use ${ADDRESS_FLAGS.map(([f]) => f).join(", ")}`);
  return found;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const CHANGE_NAMES: Record<ConsentChange, string> = {
  [ConsentChange.UNSPECIFIED]: "?", [ConsentChange.GRANTED]: "granted", [ConsentChange.WITHDRAWN]: "withdrawn", [ConsentChange.OPTED_OUT]: "opted out",
};

const consentedChannels = (o: FieldFlags) => new Set((o.consent ?? []).flatMap((c) => c.split(",")).map((c) => c.trim()).filter(Boolean).map(channelOf));

/** The addresses the flags give, with consent granted on the channels --consent names. */
function addressesFrom(o: FieldFlags): ContactAddress[] {
  const consented = consentedChannels(o);
  return ADDRESS_FLAGS.filter(([flag]) => o[flag] !== undefined).map(([flag, channel]) => ({
    channel, address: o[flag]!, consent: consented.has(channel) ? { granted: true, source: o.consentSource ?? "" } : undefined,
  }) as ContactAddress);
}

function addFieldOptions(cmd: Command): Command {
  for (const [flag] of ADDRESS_FLAGS) cmd.option(`--${flag} <address>`, flag === "phone" ? "phone number (E.164, or national with --region)" : `${flag} address`);
  return cmd
    .option("--category <name>", "a category (repeat for several)", collect)
    .option("--language <tag>", "preferred language (BCP 47, e.g. nl-BE)")
    .option("--time-zone <zone>", "IANA time zone (e.g. Europe/Brussels)")
    .option("--region <code>", "ISO 3166 region national phone numbers are read in (e.g. BE)")
    .option("--community <community>", "the community the contact belongs to (slug, id or prefix; \"\" for none)")
    .option("--consent <channels>", "channels the person consented to, e.g. email,phone (repeatable)", collect)
    .option("--consent-source <text>", "how consent was given (default: you, as admin:<your account id>)");
}

/** A contact of the org by id, id prefix, name or address. */
async function resolveContact(s: Session, orgId: string, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const list = await listAll(async (pageToken) => {
    const res = await contacts(s).listContacts({ orgId, pageSize: 200, pageToken, query: /^[0-9a-f-]{4,}$/i.test(ref) ? "" : ref });
    return { items: res.contacts, next: res.nextPageToken };
  });
  return pick("contact", ref, list.map((c) => ({ id: c.id, names: [c.name, ...c.addresses.map((a) => a.address)], label: c.name })), "polity contacts list --org ORG", "a name, an address or an id");
}

function showContact(s: Session, c: Contact | undefined): void {
  if (!c) return;
  printRecord(s.io, {
    id: c.id, name: c.name, categories: c.categories.join(", "), language: c.language || "(org default)", "time zone": c.timeZone || "UTC",
    region: c.defaultRegion, community: c.communityId, created: time(c.createdAt), updated: time(c.updatedAt),
  });
  s.io.stdout("\n");
  printTable(s.io, ["CHANNEL", "ADDRESS", "CONSENT", "SOURCE", "SINCE (UTC)", "OPTED OUT (UTC)"], c.addresses.map((a) => [
    channelName(a.channel), a.address, a.consent?.granted ? "yes" : "no", a.consent?.source ?? "", tableTime(a.consent?.at), tableTime(a.optedOutAt),
  ]));
}

export function register(program: Command, io: Io): void {
  const c = program.command("contacts").description("an org's contacts: addresses, consent per channel, CSV import and export");

  addFieldOptions(c.command("add <name>").description("add a contact").requiredOption("--org <org>", "organisation: slug, id or its prefix"))
    .action(action(io, async (s, name: string, o: OrgFlag & FieldFlags) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await contacts(s).createContact({
        orgId,
        contact: {
          name, addresses: addressesFrom(o), categories: o.category ?? [], language: o.language ?? "", timeZone: o.timeZone ?? "",
          defaultRegion: o.region ?? "", communityId: o.community ? await resolveCommunity(s, o.community) : "",
        },
      });
      s.emit(CreateContactResponseSchema, res, () => showContact(s, res.contact));
    }));

  c.command("list").description("the org's contacts, or with --members a community's members as recipients")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--category <name>", "only this category")
    .option("--community <community>", "only contacts of this community")
    .option("--channel <channel>", "only contacts with an address on this channel")
    .option("--query <text>", "only contacts whose name or an address contains this")
    .option("--members <community>", "list this community's members (not copied into contacts) instead")
    .option("--page-size <n>", "per page", "50")
    .option("--page-token <token>", "the next page, as printed by the previous one")
    .action(action(io, async (s, o: OrgFlag & { category?: string; community?: string; channel?: string; query?: string; members?: string; pageSize: string; pageToken?: string }) => {
      const orgId = await resolveOrg(s, o.org);
      const page = { pageSize: Number(o.pageSize) || 0, pageToken: o.pageToken ?? "" };
      if (o.members) {
        const res = await contacts(s).listMemberRecipients({ orgId, communityId: await resolveCommunity(s, o.members), ...page });
        s.emit(ListMemberRecipientsResponseSchema, res, () => {
          printTable(s.io, ["ACCOUNT", "NAME", "EMAIL", "EMAIL OK", "OPTED OUT"], res.members.map((m) => [
            m.accountId, m.displayName, m.email, m.emailConsented ? "yes" : "no", m.optedOut.map(channelName).join(", "),
          ]));
          printNextPage(s.io, res.nextPageToken);
        });
        return;
      }
      const res = await contacts(s).listContacts({
        orgId, category: o.category ?? "", communityId: o.community ? await resolveCommunity(s, o.community) : "",
        channel: o.channel ? channelOf(o.channel) : Channel.UNSPECIFIED, query: o.query ?? "", ...page,
      });
      s.emit(ListContactsResponseSchema, res, () => {
        printTable(s.io, ["ID", "NAME", "ADDRESSES", "CATEGORIES", "OPTED OUT"], res.contacts.map((x) => [
          shortId(x.id), x.name, x.addresses.map((a) => `${channelName(a.channel)}: ${a.address}${a.consent?.granted ? "" : " (no consent)"}`).join("\n"),
          x.categories.join(", "), x.optedOut.map(channelName).join(", "),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  c.command("show <contact>").description("one contact (name, address, id or id prefix) with its consent history")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await contacts(s).getContact({ orgId, contactId: await resolveContact(s, orgId, ref) });
      s.emit(GetContactResponseSchema, res, () => showContact(s, res.contact));
      if (!s.json) await history(s, orgId, { target: { case: "contactId", value: res.contact!.id } } as RecipientRef);
    }));

  addFieldOptions(c.command("update <contact>").description("change the fields given; an address flag replaces that channel's address (\"\" removes it)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--name <name>", "a new name"))
    .action(action(io, async (s, ref: string, o: OrgFlag & FieldFlags & { name?: string }) => {
      const orgId = await resolveOrg(s, o.org);
      const { contact: current } = await contacts(s).getContact({ orgId, contactId: await resolveContact(s, orgId, ref) });
      // A plain copy: the fetched message's fields cannot hold plain address objects.
      const contact = {
        id: current!.id, name: current!.name, categories: current!.categories, language: current!.language, timeZone: current!.timeZone,
        defaultRegion: current!.defaultRegion, communityId: current!.communityId, addresses: [] as ContactAddress[],
      };
      const paths: string[] = [];
      const given = addressesFrom(o);
      if (given.length > 0 || o.consent) {
        paths.push("addresses");
        const consented = consentedChannels(o);
        const kept = current!.addresses.filter((a) => !given.some((g) => g.channel === a.channel))
          .map((a) => ({ channel: a.channel, address: a.address, consent: consented.has(a.channel) ? { granted: true, source: o.consentSource ?? "" } : undefined }) as ContactAddress);
        contact.addresses = [...kept, ...given.filter((a) => a.address !== "")];
      }
      const set = <K extends keyof typeof contact>(flag: unknown, path: string, key: K, value: (typeof contact)[K]) => {
        if (flag === undefined) return;
        paths.push(path);
        contact[key] = value;
      };
      set(o.name, "name", "name", o.name ?? "");
      set(o.category, "categories", "categories", o.category ?? []);
      set(o.language, "language", "language", o.language ?? "");
      set(o.timeZone, "time_zone", "timeZone", o.timeZone ?? "");
      set(o.region, "default_region", "defaultRegion", o.region ?? "");
      if (o.community !== undefined) set(o.community, "community_id", "communityId", o.community ? await resolveCommunity(s, o.community) : "");
      if (paths.length === 0) throw new UsageError("Nothing to change: pass --name, an address flag, --category, --language, --time-zone, --region or --community.");
      const res = await contacts(s).updateContact({ orgId, contact, updateMask: { paths } });
      s.emit(UpdateContactResponseSchema, res, () => showContact(s, res.contact));
    }));

  c.command("remove <contact>").description("erase a contact: addresses, name and consent history go; messages keep \"an erased contact\"")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const contactId = await resolveContact(s, orgId, ref);
      await contacts(s).deleteContact({ orgId, contactId });
      if (!s.json) s.io.stdout(`Erased contact ${contactId}.\n`);
    }));

  c.command("consent <contact> <channel> <decision>")
    .description("record consent (grant) or its withdrawal (withdraw) on a channel; with --community the contact is a member (email, name or id)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--community <community>", "the contact is a member of this community")
    .option("--source <text>", "how the decision was learned (default: you, as admin:<your account id>)")
    .action(action(io, async (s, ref: string, channel: string, decision: string, o: OrgFlag & { community?: string; source?: string }) => {
      if (!["grant", "withdraw"].includes(decision)) throw new UsageError(`The decision is "grant" or "withdraw", not "${decision}".`);
      const orgId = await resolveOrg(s, o.org);
      let recipient: RecipientRef;
      if (o.community) {
        const communityId = await resolveCommunity(s, o.community);
        recipient = { target: { case: "member", value: { communityId, accountId: await resolveAccount(s, ref, `community/${communityId}`) } } } as RecipientRef;
      } else {
        recipient = { target: { case: "contactId", value: await resolveContact(s, orgId, ref) } } as RecipientRef;
      }
      const res = await contacts(s).setConsent({ orgId, recipient, channel: channelOf(channel), granted: decision === "grant", source: o.source ?? "" });
      s.emit(SetConsentResponseSchema, res, () => s.io.stdout(`Consent ${CHANGE_NAMES[res.event!.change]} on ${channelName(res.event!.channel)} (source: ${res.event!.source}).\n`));
    }));

  c.command("import <file>")
    .description("create contacts from a CSV file (- reads stdin): columns name, email, phone, telegram, webhook, slack, discord, categories (a;b), language, time_zone, default_region, community_id, consent_<channel> (yes/no), opted_out (a;b)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--dry-run", "check every row and report, but create nothing", false)
    .option("--consent-source <text>", "the consent source recorded for consent_* columns (default: import:<your account id>)")
    .action(action(io, async (s, file: string, o: OrgFlag & { dryRun: boolean; consentSource?: string }) => {
      let csv: Uint8Array;
      try {
        csv = file === "-" ? new TextEncoder().encode(await s.io.readStdin()) : readFileSync(file);
      } catch (err) {
        throw new UsageError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
      }
      const res = await contacts(s).importContacts({ orgId: await resolveOrg(s, o.org), csv, dryRun: o.dryRun, consentSource: o.consentSource ?? "" });
      s.emit(ImportContactsResponseSchema, res, () => {
        s.io.stdout(`${res.rows} rows read, ${res.created} contacts ${res.dryRun ? "would be created (dry run: nothing written)" : "created"}, ${res.errors.length} rows refused.\n`);
        if (res.errors.length) printTable(s.io, ["ROW", "COLUMN", "REASON"], res.errors.map((e) => [e.row, e.column, e.reason]));
      });
      // Rows were refused: scripts see it in the exit code even though the valid rows were written.
      if (res.errors.length > 0) throw new ExitStatus(EXIT.server);
    }));

  c.command("export").description("the org's contacts as CSV (the columns import reads), to stdout or --output FILE")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--category <name>", "only this category")
    .option("--community <community>", "only contacts of this community")
    .option("--output <file>", "write the CSV to this file")
    .action(action(io, async (s, o: OrgFlag & { category?: string; community?: string; output?: string }) => {
      const orgId = await resolveOrg(s, o.org);
      const communityId = o.community ? await resolveCommunity(s, o.community) : "";
      const decoder = new TextDecoder();
      let text = "";
      for await (const { chunk } of contacts(s).exportContacts({ orgId, category: o.category ?? "", communityId })) {
        const part = decoder.decode(chunk, { stream: true });
        if (o.output) text += part;
        else s.io.stdout(part);
      }
      if (o.output) {
        writeFileSync(o.output, text + decoder.decode());
        s.io.stderr(`Wrote ${o.output}.\n`);
      }
    }));
}

async function history(s: Session, orgId: string, recipient: RecipientRef): Promise<void> {
  const events = await listAll(async (pageToken) => {
    const res = await contacts(s).listConsentEvents({ orgId, recipient, pageSize: 200, pageToken });
    return { items: res.events, next: res.nextPageToken };
  });
  if (events.length === 0) return;
  s.io.stdout("\nConsent history:\n");
  printTable(s.io, ["WHEN (UTC)", "CHANNEL", "CHANGE", "SOURCE"], events.map((e) => [tableTime(e.at), channelName(e.channel), CHANGE_NAMES[e.change], e.source]));
}
