// The messages store and the sender on the embedded database (PGlite): a message created, its job taken by the
// in-process worker, sent through an SMTP peer, with its history and its changes watched in commit order.
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Channel, MessageState } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { ContactService } from "../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { MessageService, type WatchMessagesResponse } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { ProviderService } from "../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { createPolityClient } from "../../clients/src/node.js";
import { startSmtpPeer, type SmtpPeer } from "../fakes/smtp-peer.js";
import { startInProcessServer, type TestServer } from "../support/server.js";
import { until } from "./messages-stage.js";

const admin = { email: "pglite-admin@example.org", password: "a long admin password" };
let server: TestServer;
let smtp: SmtpPeer;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  server = await startInProcessServer({
    POLITY_OUTBOUND_ALLOW_PRIVATE: "true", POLITY_BOOTSTRAP_ADMIN_EMAIL: admin.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    POLITY_JOB_POLL_INTERVAL_MS: "500", POLITY_PUBLIC_URL: "http://polity.example",
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

it("sends a message on PGlite and watches its transitions", async () => {
  const client = createPolityClient({ baseUrl: server.url });
  await client.auth.login(admin);
  const { org } = await client.orgs.createOrg({ slug: "pglite-msg", displayName: "PGlite messages" });
  const orgId = org!.id;
  const providers = createClient(ProviderService, client.transport);
  const contacts = createClient(ContactService, client.transport);
  const messages = createClient(MessageService, client.transport);
  await providers.createProvider({ orgId, kind: "email", name: "smtp", config: { host: smtp.host, port: smtp.port, secure: false, from: "Polity <noreply@polity.example>", timeoutSeconds: 5 } });
  const { contact } = await contacts.createContact({ orgId, contact: { name: "Pia", addresses: [{ channel: Channel.EMAIL, address: "pia@example.org", consent: { granted: true, source: "test" } }] } });

  const abort = new AbortController();
  const seen: WatchMessagesResponse[] = [];
  const watching = (async () => {
    try {
      for await (const change of messages.watchMessages({ orgId }, { signal: abort.signal })) seen.push(change);
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  await new Promise((r) => setTimeout(r, 300));

  const sent = await messages.sendMessage({ orgId, recipient: { recipient: { case: "contactId", value: contact!.id } }, content: { case: "message", value: { text: "from PGlite" } }, idempotencyKey: "pglite-1" });
  const again = await messages.sendMessage({ orgId, recipient: { recipient: { case: "contactId", value: contact!.id } }, content: { case: "message", value: { text: "again" } }, idempotencyKey: "pglite-1" });
  expect(again.message!.id).toBe(sent.message!.id);
  const id = sent.message!.id;
  const got = await until(() => messages.getMessage({ orgId, messageId: id }), (r) => r.message!.state === MessageState.SENT);
  expect(got.history.map((h) => h.state)).toEqual([MessageState.PENDING, MessageState.SENDING, MessageState.SENT]);
  expect(smtp.messages.filter((m) => m.parsed.messageId === got.message!.providerMessageId)).toHaveLength(1);
  await until(async () => seen.filter((c) => c.message!.id === id).length, (n) => n >= 3, 10_000);
  expect(seen.filter((c) => c.message!.id === id).map((c) => c.change!.state)).toEqual([MessageState.PENDING, MessageState.SENDING, MessageState.SENT]);
  abort.abort();
  await watching;
}, 60_000);
