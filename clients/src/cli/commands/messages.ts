// polity messages send | list | show | watch | failed | retry | cancel: messages to contacts and members, their
// states and the attempts each service made, dead letters and their replay.
import type { Command } from "commander";
import { createClient, type Client } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Direction, MessageState } from "../../gen/polity/mod/messaging/v1/common_pb.js";
import {
  CancelMessageResponseSchema, GetMessageResponseSchema, ListFailedMessagesResponseSchema, ListMessagesResponseSchema,
  type Message, MessageService, RetryMessageResponseSchema, SendAttempt_Outcome, SendMessageResponseSchema, type SendMessageRequest,
  type GetMessageResponse,
} from "../../gen/polity/mod/messaging/v1/messages_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { SendMessageRequestSchema } from "../../gen/polity/mod/messaging/v1/messages_pb.js";
import { action, type Session } from "../session.js";
import { UsageError } from "../exit.js";
import { printNextPage, printRecord, printTable, shortId, time } from "../output.js";
import { isUuid, listAll, pick, resolveCommunity, resolveOrg } from "../resolve.js";
import type { Io } from "../io.js";

type Messages = Client<typeof MessageService>;
type OrgFlag = { org: string };

const clients = new WeakMap<Session, Messages>();
function messages(s: Session): Messages {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(MessageService, s.client.transport)));
  return client;
}

const stateName = (state: MessageState) => (MessageState[state] ?? String(state)).toLowerCase();
const outcomeName = (o: SendAttempt_Outcome) => (SendAttempt_Outcome[o] ?? String(o)).toLowerCase();
const collect = (value: string, previous: string[]) => [...previous, value];

function stateOf(text: string): MessageState {
  const value = MessageState[text.trim().toUpperCase().replace(/-/g, "_") as keyof typeof MessageState];
  if (typeof value !== "number" || value === MessageState.UNSPECIFIED) throw new UsageError(`"${text}" is not a message state; use pending, sending, sent, delivered_service, delivered_user, read, replied, failed or cancelled`);
  return value;
}

/** A message id, or a prefix of one of the org's latest 500 messages. */
async function resolveMessage(s: Session, orgId: string, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  let pages = 0;
  const list = await listAll(async (pageToken) => {
    const res = await messages(s).listMessages({ orgId, pageSize: 100, pageToken });
    return { items: res.messages, next: ++pages < 5 ? res.nextPageToken : "" };
  });
  return pick("message", ref, list.map((m) => ({ id: m.id, names: [], label: m.text.slice(0, 40) })), "polity messages list --org ORG", "an id or an id prefix");
}

async function recipientOf(s: Session, o: { contact?: string; member?: string }): Promise<SendMessageRequest["recipient"]> {
  if (!!o.contact === !!o.member) throw new UsageError("Pass --contact CONTACT_ID or --member COMMUNITY:ACCOUNT_ID (one of them).");
  if (o.contact) return { recipient: { case: "contactId", value: o.contact } } as never;
  const [community, account] = o.member!.split(":");
  if (!community || !account || !isUuid(account)) throw new UsageError(`--member takes COMMUNITY:ACCOUNT_ID, not "${o.member}".`);
  return { recipient: { case: "member", value: { communityId: await resolveCommunity(s, community), accountId: account } } } as never;
}

function who(m: Message): string {
  return m.contactId ? `contact ${shortId(m.contactId)}` : m.member ? `member ${shortId(m.member.accountId)}` : m.address;
}

function showMessage(s: Session, res: GetMessageResponse): void {
  const m = res.message!;
  printRecord(s.io, {
    id: m.id, direction: Direction[m.direction]?.toLowerCase() ?? "", state: stateName(m.state), to: who(m), address: m.address,
    category: m.category, subject: m.subject, text: m.text, "send time": time(m.sendTime), service: m.providerId, "provider id": m.providerMessageId,
    "reply to": m.replyToMessageId, blast: m.blastId, created: time(m.createTime),
  });
  s.io.stdout("\nHistory\n");
  printTable(s.io, ["TIME", "STATE", "SERVICE", "REASON"], res.history.map((h) => [time(h.time), stateName(h.state), shortId(h.providerId), h.reason]));
  if (res.attempts.length) {
    s.io.stdout("\nAttempts\n");
    printTable(s.io, ["STARTED", "SERVICE", "#", "OUTCOME", "RETRY-AFTER", "REASON"], res.attempts.map((a) => [
      time(a.startTime), shortId(a.providerId), String(a.attempt), outcomeName(a.outcome), a.retryAfterMs ? `${a.retryAfterMs} ms` : "", a.reason,
    ]));
  }
}

export function register(program: Command, io: Io): void {
  const c = program.command("messages").description("messages to contacts and members: send, follow, and replay dead letters");

  c.command("send <text>").description("send a message (plain text; --markdown or --html for email bodies)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--contact <id>", "the contact's id")
    .option("--member <community:account>", "a community member (community slug or id, account id)")
    .option("--subject <subject>", "email subject", "")
    .option("--markdown <markdown>", "email body in Markdown (rendered and sanitised)")
    .option("--html <html>", "email body in HTML (sanitised)")
    .option("--template <id>", "send a template instead (the text argument is ignored)")
    .option("--var <name=value>", "a template variable (repeat for more)", collect, [] as string[])
    .option("--language <tag>", "template language (default: the recipient's)", "")
    .option("--category <category>", "category: picks the category's service chain", "")
    .option("--at <instant>", "send at this instant (e.g. 2026-12-01T09:00:00Z)")
    .option("--local-time <time>", "send at this wall time in the recipient's time zone (e.g. 2026-12-01T09:00)")
    .option("--quiet-hours <start-end>", "hold the send inside this local window until its end (e.g. 21:00-08:00)")
    .option("--idempotency-key <key>", "the same key again returns the first message instead of sending twice", "")
    .option("--reply-to <message>", "the message this one answers")
    .action(action(io, async (s, text: string, o: OrgFlag & Record<string, string | string[] | undefined>) => {
      const orgId = await resolveOrg(s, o.org);
      if (o.markdown && o.html) throw new UsageError("Pass --markdown or --html, not both.");
      if (o.at && o.localTime) throw new UsageError("Pass --at or --local-time, not both.");
      const variables: Record<string, string> = {};
      for (const pair of o.var as string[]) {
        const at = pair.indexOf("=");
        if (at < 1) throw new UsageError(`--var takes name=value, not "${pair}".`);
        variables[pair.slice(0, at)] = pair.slice(at + 1);
      }
      const at = o.at ? new Date(o.at as string) : undefined;
      if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at takes an instant, e.g. 2026-12-01T09:00:00Z, not "${o.at}".`);
      const quiet = o.quietHours ? /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(o.quietHours as string) : undefined;
      if (o.quietHours && !quiet) throw new UsageError(`--quiet-hours takes START-END, e.g. 21:00-08:00, not "${o.quietHours}".`);
      const req: MessageInitShape<typeof SendMessageRequestSchema> = {
        orgId, recipient: await recipientOf(s, o as { contact?: string; member?: string }), category: o.category as string,
        idempotencyKey: o.idempotencyKey as string, replyToMessageId: o.replyTo ? await resolveMessage(s, orgId, o.replyTo as string) : "",
        content: o.template
          ? { case: "template", value: { templateId: o.template as string, variables, language: o.language as string } }
          : { case: "message", value: { text, subject: o.subject as string, body: o.markdown ? { case: "markdown", value: o.markdown as string } : o.html ? { case: "html", value: o.html as string } : { case: undefined } } },
        schedule: at ? { case: "sendTime", value: timestampFromDate(at) } : o.localTime ? { case: "localTime", value: o.localTime as string } : { case: undefined },
        quietHours: quiet ? { start: quiet[1]!, end: quiet[2]! } : undefined,
      };
      const res = await messages(s).sendMessage(req);
      s.emit(SendMessageResponseSchema, res, () => {
        const m = res.message!;
        s.io.stdout(`${res.created ? "Queued" : "Already sent with this key"}: ${m.id} (${stateName(m.state)}, ${time(m.sendTime)})\n`);
      });
    }));

  c.command("list").description("the org's messages, newest first")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--contact <id>", "only this contact's")
    .option("--state <state>", "only in this state (repeat for several)", collect, [] as string[])
    .option("--direction <direction>", "outgoing or incoming")
    .option("--blast <id>", "only this blast's")
    .option("--since <instant>", "only created at or after this instant")
    .option("--page-size <n>", "messages per page", "20")
    .option("--page-token <token>", "the next page, as printed by the previous one")
    .action(action(io, async (s, o: OrgFlag & { contact?: string; state: string[]; direction?: string; blast?: string; since?: string; pageSize: string; pageToken?: string }) => {
      const direction = o.direction ? Direction[o.direction.toUpperCase() as keyof typeof Direction] : Direction.UNSPECIFIED;
      if (typeof direction !== "number") throw new UsageError(`--direction takes outgoing or incoming, not "${o.direction}".`);
      const since = o.since ? new Date(o.since) : undefined;
      if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since takes an instant, not "${o.since}".`);
      const res = await messages(s).listMessages({
        orgId: await resolveOrg(s, o.org), contactId: o.contact ?? "", states: o.state.map(stateOf), direction, blastId: o.blast ?? "",
        since: since ? timestampFromDate(since) : undefined, pageSize: Number(o.pageSize) || 0, pageToken: o.pageToken ?? "",
      });
      s.emit(ListMessagesResponseSchema, res, () => {
        printTable(s.io, ["ID", "DIR", "STATE", "TO/FROM", "TEXT", "CREATED"], res.messages.map((m) => [
          shortId(m.id), m.direction === Direction.INCOMING ? "in" : "out", stateName(m.state), who(m), m.subject || m.text, time(m.createTime),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  c.command("show <message>").description("one message with its history and every attempt (id or id prefix)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await messages(s).getMessage({ orgId, messageId: await resolveMessage(s, orgId, ref) });
      s.emit(GetMessageResponseSchema, res, () => showMessage(s, res));
    }));

  c.command("watch").description("follow the org's message state changes as they happen (Ctrl-C stops)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--contact <id>", "only this contact's messages")
    .option("--cursor <cursor>", "resume after this change's cursor (printed with each change)")
    .action(action(io, async (s, o: OrgFlag & { contact?: string; cursor?: string }) => {
      const orgId = await resolveOrg(s, o.org);
      for await (const change of messages(s).watchMessages({ orgId, contactId: o.contact ?? "", cursor: o.cursor ?? "" })) {
        const m = change.message!;
        const h = change.change!;
        if (s.json) s.io.stdout(`${JSON.stringify({ cursor: change.cursor, messageId: m.id, state: stateName(h.state), time: time(h.time), providerId: h.providerId, reason: h.reason })}\n`);
        else s.io.stdout(`${time(h.time)} ${shortId(m.id)} ${stateName(h.state)}${h.providerId ? ` via ${shortId(h.providerId)}` : ""}${h.reason ? `: ${h.reason}` : ""}  [${change.cursor}]\n`);
      }
    }));

  c.command("failed").description("dead letters: FAILED messages with every attempt's reason")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--page-size <n>", "messages per page", "20")
    .option("--page-token <token>", "the next page, as printed by the previous one")
    .action(action(io, async (s, o: OrgFlag & { pageSize: string; pageToken?: string }) => {
      const res = await messages(s).listFailedMessages({ orgId: await resolveOrg(s, o.org), pageSize: Number(o.pageSize) || 0, pageToken: o.pageToken ?? "" });
      s.emit(ListFailedMessagesResponseSchema, res, () => {
        printTable(s.io, ["ID", "TO", "TEXT", "ATTEMPTS", "REASON", "CREATED"], res.messages.map((f) => [
          shortId(f.message!.id), who(f.message!), f.message!.subject || f.message!.text,
          f.attempts.map((a) => `${shortId(a.providerId)} #${a.attempt} ${outcomeName(a.outcome)}: ${a.reason}`).join("\n"), f.reason, time(f.message!.createTime),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  c.command("retry <message>").description("send a FAILED message through its chain again (id or id prefix)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await messages(s).retryMessage({ orgId, messageId: await resolveMessage(s, orgId, ref) });
      s.emit(RetryMessageResponseSchema, res, () => s.io.stdout(`Queued again: ${res.message!.id}\n`));
    }));

  c.command("cancel <message>").description("cancel a message no service has accepted yet (id or id prefix)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await messages(s).cancelMessage({ orgId, messageId: await resolveMessage(s, orgId, ref) });
      s.emit(CancelMessageResponseSchema, res, () => s.io.stdout(`Cancelled: ${res.message!.id}\n`));
    }));
}
