// MessageService on a real server and PostgreSQL: idempotency keys, scheduling and cancel, Markdown and HTML
// sanitised, lists and their filters, a FAILED message retried through its chain, WatchMessages following the
// transitions (and resuming from a cursor), and who may do what.
import { Code, ConnectError } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Direction, MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { WatchMessagesResponse } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { reasonOf } from "../../sys/core/errors.js";
import { startMessagesStage, until, type MessagesStage } from "./messages-stage.js";

let stage: MessagesStage;

beforeAll(async () => {
  stage = await startMessagesStage("msgservice", { POLITY_MESSAGING_ATTEMPTS_PER_PROVIDER: "1" });
}, 60_000);
afterAll(async () => {
  await stage?.stop();
});

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

const to = (contactId: string) => ({ recipient: { case: "contactId" as const, value: contactId } });
const text = (value: string) => ({ case: "message" as const, value: { text: value } });
const stateOf = async (id: string) => (await stage.messages.getMessage({ orgId: stage.orgId, messageId: id })).message!.state;

describe("MessageService", () => {
  it("returns the first message for a repeated idempotency key, and creates one message only", async () => {
    const contactId = await stage.contact("Ida Key");
    const first = await stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("once"), idempotencyKey: "key-1" });
    const again = await stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("twice?"), idempotencyKey: "key-1" });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.message!.id).toBe(first.message!.id);
    expect(again.message!.text).toBe("once");
    const concurrent = await Promise.all([1, 2, 3].map(() => stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("race"), idempotencyKey: "key-2" })));
    expect(new Set(concurrent.map((r) => r.message!.id)).size).toBe(1);
    expect(concurrent.filter((r) => r.created)).toHaveLength(1);
    const { messages } = await stage.messages.listMessages({ orgId: stage.orgId, contactId });
    expect(messages).toHaveLength(2);
  });

  it("schedules a message, cancels it while pending, and refuses to cancel it again", async () => {
    const contactId = await stage.contact("Sam Scheduled");
    const sendTime = timestampFromDate(new Date(Date.now() + 3_600_000));
    const { message } = await stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("later"), schedule: { case: "sendTime", value: sendTime } });
    expect(message!.state).toBe(MessageState.PENDING);
    expect(message!.sendTime?.seconds).toBe(sendTime.seconds);
    const cancelled = await stage.messages.cancelMessage({ orgId: stage.orgId, messageId: message!.id });
    expect(cancelled.message!.state).toBe(MessageState.CANCELLED);
    const again = await failure(stage.messages.cancelMessage({ orgId: stage.orgId, messageId: message!.id }));
    expect(again.code).toBe(Code.FailedPrecondition);
    expect(reasonOf(again)).toBe("NOT_CANCELLABLE");
    const { history } = await stage.messages.getMessage({ orgId: stage.orgId, messageId: message!.id });
    expect(history.map((h) => h.state)).toEqual([MessageState.PENDING, MessageState.CANCELLED]);
  });

  it("renders Markdown to sanitised HTML and strips scripts from HTML", async () => {
    const contactId = await stage.contact("Mark Down");
    const md = await stage.messages.sendMessage({
      orgId: stage.orgId, recipient: to(contactId), schedule: { case: "sendTime", value: timestampFromDate(new Date(Date.now() + 3_600_000)) },
      content: { case: "message", value: { text: "plain", body: { case: "markdown", value: "**Vote** [here](https://polity.example)\n\n<script>alert(1)</script>" } } },
    });
    expect(md.message!.html).toContain("<strong>Vote</strong>");
    expect(md.message!.html).toContain('<a href="https://polity.example">here</a>');
    expect(md.message!.html).not.toContain("<script");
    const html = await stage.messages.sendMessage({
      orgId: stage.orgId, recipient: to(contactId), schedule: { case: "sendTime", value: timestampFromDate(new Date(Date.now() + 3_600_000)) },
      content: { case: "message", value: { text: "plain", body: { case: "html", value: '<p onclick="x()">Hi<img src="javascript:alert(1)"></p><script>bad()</script>' } } },
    });
    expect(html.message!.html).toBe("<p>Hi<img /></p>");
  });

  it("refuses an unknown contact, a reply to an unknown message, and invalid input", async () => {
    const unknown = await failure(stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(crypto.randomUUID()), content: text("x") }));
    expect(unknown.code).toBe(Code.NotFound);
    const contactId = await stage.contact("Rita Reply");
    const reply = await failure(stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("x"), replyToMessageId: crypto.randomUUID() }));
    expect(reply.code).toBe(Code.NotFound);
    const empty = await failure(stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("") }));
    expect(empty.code).toBe(Code.InvalidArgument);
    const noRecipient = await failure(stage.messages.sendMessage({ orgId: stage.orgId, content: text("x") }));
    expect(noRecipient.code).toBe(Code.InvalidArgument);
  });

  it("lists by contact, state and direction, newest first, page by page", async () => {
    const contactId = await stage.contact("Lisa List");
    const later = timestampFromDate(new Date(Date.now() + 3_600_000));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text(`m${i}`), schedule: { case: "sendTime", value: later } })).message!.id);
    await stage.messages.cancelMessage({ orgId: stage.orgId, messageId: ids[0]! });
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await stage.messages.listMessages({ orgId: stage.orgId, contactId, pageSize: 2, pageToken });
      seen.push(...page.messages.map((m) => m.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([...ids].reverse());
    const pending = await stage.messages.listMessages({ orgId: stage.orgId, contactId, states: [MessageState.PENDING], direction: Direction.OUTGOING });
    expect(pending.messages.map((m) => m.id)).toEqual(ids.slice(1).reverse());
    const bad = await failure(stage.messages.listMessages({ orgId: stage.orgId, pageToken: "nope" }));
    expect(reasonOf(bad)).toBe("INVALID_PAGE_TOKEN");
  });

  it("retries a FAILED message through its chain; WatchMessages sees every transition and resumes from a cursor", async () => {
    const contactId = await stage.contact("Will Watch", { email: "bounce-watch@example.org" });
    const abort = new AbortController();
    const seen: WatchMessagesResponse[] = [];
    const watching = (async () => {
      try {
        for await (const change of stage.messages.watchMessages({ orgId: stage.orgId, contactId }, { signal: abort.signal })) seen.push(change);
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
    })();
    await new Promise((r) => setTimeout(r, 500));

    stage.sms.script({ status: 400, body: { code: 21211, message: "invalid number" } });
    stage.smtp.reject("bounce-watch@example.org", 550, 1);
    const { message } = await stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("watch me") });
    const id = message!.id;
    await until(() => stateOf(id), (s) => s === MessageState.FAILED);

    const failed = await stage.messages.listFailedMessages({ orgId: stage.orgId });
    const dead = failed.messages.find((m) => m.message!.id === id)!;
    expect(dead.attempts.map((a) => a.reason).join(" | ")).toMatch(/21211.*\|.*550/);

    const notFailed = await failure(stage.messages.retryMessage({ orgId: stage.orgId, messageId: (await stage.messages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("x"), schedule: { case: "sendTime", value: timestampFromDate(new Date(Date.now() + 3_600_000)) } })).message!.id }));
    expect(reasonOf(notFailed)).toBe("NOT_FAILED");

    // The gateway now accepts: the retry goes out by SMS, the chain's first service.
    const retried = await stage.messages.retryMessage({ orgId: stage.orgId, messageId: id });
    expect(retried.message!.state).toBe(MessageState.PENDING);
    await until(() => stateOf(id), (s) => s === MessageState.SENT);
    const got = await stage.messages.getMessage({ orgId: stage.orgId, messageId: id });
    expect(got.message!.providerId).toBe(stage.smsProviderId);
    expect(got.history.map((h) => h.state)).toEqual([
      MessageState.PENDING, MessageState.SENDING, MessageState.SENDING, MessageState.FAILED,
      MessageState.PENDING, MessageState.SENDING, MessageState.SENT,
    ]);
    expect(got.attempts).toHaveLength(3);

    const mine = () => seen.filter((c) => c.message!.id === id).map((c) => c.change!.state);
    await until(async () => mine(), (states) => states.length >= 7, 15_000);
    expect(mine()).toEqual(got.history.map((h) => h.state));
    abort.abort();
    await watching;

    // From the cursor of the FAILED change, a new watch replays what came after it.
    const failedChange = seen.find((c) => c.message!.id === id && c.change!.state === MessageState.FAILED)!;
    const resumed: number[] = [];
    const again = new AbortController();
    const timer = setTimeout(() => again.abort(), 3000);
    try {
      for await (const change of stage.messages.watchMessages({ orgId: stage.orgId, contactId, cursor: failedChange.cursor }, { signal: again.signal })) {
        if (change.message!.id === id) resumed.push(change.change!.state);
        if (resumed.length === 3) break;
      }
    } catch (error) {
      if (!again.signal.aborted) throw error;
    }
    clearTimeout(timer);
    expect(resumed).toEqual([MessageState.PENDING, MessageState.SENDING, MessageState.SENT]);
  }, 60_000);

  it("is refused to a person with no role in the org", async () => {
    const denied = await failure(stage.strangerMessages.listMessages({ orgId: stage.orgId }));
    expect(denied.code).toBe(Code.PermissionDenied);
    const contactId = await stage.contact("Nora Denied");
    const send = await failure(stage.strangerMessages.sendMessage({ orgId: stage.orgId, recipient: to(contactId), content: text("no") }));
    expect(send.code).toBe(Code.PermissionDenied);
  });
});
