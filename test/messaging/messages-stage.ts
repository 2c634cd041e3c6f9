// The stage for the messages and delivery tests: the provider stage (a server with an org and its admin) plus
// a Twilio-shaped SMS gateway fake whose answers are scripted per call, a real SMTP peer, an "sms" and an
// "email" provider pointing at them, and the org's default chain [sms, email].
import { createClient, type Client } from "@connectrpc/connect";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { MessageService } from "../../clients/src/gen/polity/mod/messaging/v1/messages_pb.js";
import { readBody, sendJson, startFakeHttpServer, type FakeHttpServer } from "../fakes/fake-http-server.js";
import { startSmtpPeer, type SmtpPeer } from "../fakes/smtp-peer.js";
import { startProviderStage, type ProviderStage } from "./providers-stage.js";

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SmsGatewayFake extends FakeHttpServer {
  /** Every POST to the Messages resource: its form fields, and when it came. */
  requests: Array<{ to: string; body: string; at: number }>;
  /** Answers for the next calls, in order; once used up, calls are accepted (201 with a sid). */
  script(...answers: ScriptedAnswer[]): void;
}

export async function startSmsGatewayFake(): Promise<SmsGatewayFake> {
  const requests: SmsGatewayFake["requests"] = [];
  const queue: ScriptedAnswer[] = [];
  let n = 0;
  const server = await startFakeHttpServer(async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== "POST" || !/\/Messages\.json$/.test(request.url ?? "")) return sendJson(response, 404, { code: 20404, message: "not found" });
    const form = (await readBody(request)) as Record<string, string>;
    requests.push({ to: String(form.To), body: String(form.Body), at: Date.now() });
    const answer = queue.shift();
    if (answer) {
      for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
      return sendJson(response, answer.status, answer.body ?? { code: answer.status, message: `scripted ${answer.status}` });
    }
    sendJson(response, 201, { sid: `SM${String(++n).padStart(32, "0")}`, status: "queued" });
  }, () => ({ status: 500, body: { message: "fake failed" } }));
  return { ...server, requests, script: (...answers) => void queue.push(...answers) };
}

export interface MessagesStage extends ProviderStage {
  messages: Client<typeof MessageService>;
  strangerMessages: Client<typeof MessageService>;
  sms: SmsGatewayFake;
  smtp: SmtpPeer;
  smsProviderId: string;
  emailProviderId: string;
  /** Sets a chain through SetChain (scope "org" with key "", "category" or "contact"). */
  chain(scope: "org" | "category" | "contact", key: string, providerIds: string[]): Promise<void>;
  /** A contact with a consented phone number and email address. */
  contact(name: string, options?: { phone?: string; email?: string; consent?: boolean }): Promise<string>;
}

let numbers = 0;

export async function startMessagesStage(tag: string, env: Record<string, string> = {}): Promise<MessagesStage> {
  const sms = await startSmsGatewayFake();
  const smtp = await startSmtpPeer();
  const stage = await startProviderStage(tag, { POLITY_JOB_POLL_INTERVAL_MS: "500", ...env });
  try {
    return await prepare(stage, sms, smtp);
  } catch (error) {
    console.error(stage.server.logs.filter((l) => /"level":(50|40)/.test(l)).join("\n"));
    await stage.stop();
    await sms.close();
    await smtp.close();
    throw error;
  }
}

async function prepare(stage: ProviderStage, sms: SmsGatewayFake, smtp: SmtpPeer): Promise<MessagesStage> {
  const { provider: smsProvider } = await stage.providers.createProvider({
    orgId: stage.orgId, kind: "sms", name: "sms-gateway",
    config: { baseUrl: sms.url, accountSid: "AC0123456789", authToken: "sms-auth-token", from: "+15005550006" },
    ratePerSecond: 50,
  });
  const { provider: emailProvider } = await stage.providers.createProvider({
    orgId: stage.orgId, kind: "email", name: "smtp",
    config: { host: smtp.host, port: smtp.port, secure: false, from: "Polity <noreply@polity.example>", timeoutSeconds: 5 },
    ratePerSecond: 50,
  });
  const chain = async (scope: "org" | "category" | "contact", key: string, providerIds: string[]) => {
    const which = scope === "org" ? { case: "orgDefault" as const, value: true } : scope === "category" ? { case: "category" as const, value: key } : { case: "contactId" as const, value: key };
    await stage.providers.setChain({ orgId: stage.orgId, scope: { scope: which }, providerIds });
  };
  await chain("org", "", [smsProvider!.id, emailProvider!.id]);
  return {
    ...stage,
    messages: createClient(MessageService, stage.admin.transport),
    strangerMessages: createClient(MessageService, stage.stranger.transport),
    sms,
    smtp,
    chain,
    smsProviderId: smsProvider!.id,
    emailProviderId: emailProvider!.id,
    async contact(name, options = {}) {
      const consent = { granted: options.consent ?? true, source: "test" };
      const phone = options.phone ?? `+3247${String(1000000 + ++numbers).slice(-7)}`;
      const email = options.email ?? `${name.toLowerCase().replace(/[^a-z0-9]/g, "")}-${numbers}@example.org`;
      const { contact } = await stage.contacts.createContact({
        orgId: stage.orgId,
        contact: { name, addresses: [{ channel: Channel.SMS, address: phone, consent }, { channel: Channel.EMAIL, address: email, consent }] },
      });
      return contact!.id;
    },
    async stop() {
      await stage.stop();
      await sms.close();
      await smtp.close();
    },
  };
}

/** Polls `read` until `done` holds (or fails after `timeoutMs`). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
