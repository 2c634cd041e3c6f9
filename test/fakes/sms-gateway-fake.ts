// A local SMS gateway in the shape of Twilio's Messages API, for tests: a real HTTP server (127.0.0.1, a free
// port) that queues messages as Twilio does and sends status callbacks and inbound messages signed as Twilio
// signs them.
//
//   const sms = await createSmsGatewayFake({ accountSid: "AC…", authToken: "…" });
//   config = { baseUrl: sms.url, accountSid: sms.accountSid, authToken: sms.authToken, from: "+15005550006" }
//
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To, From or MessagingServiceSid, Body,
// StatusCallback; HTTP Basic auth AccountSid:AuthToken (else 401, code 20003). 201 {sid: "SM…", status:
// "queued", …}; a To that is not E.164 → 400 code 21211. Programmable:
//   failNext(n, "rate-limit", { retryAfterSeconds })  429 code 20429 with Retry-After
//   failNext(n, "server-error")                        500 code 20500
//   failNext(n, "invalid-number")                      400 code 21211
//   rejectNumber(to, code = 21614)                     that number always answers 400 with the code
// Callbacks (X-Twilio-Signature over URL + sorted params; options.token to sign with another, null for none):
//   report(sid, "sent" | "delivered" | "undelivered" | "failed", { errorCode? })   POST to the message's StatusCallback
//   sendInbound(url, { from, to, body })                                           an incoming text
// With { autoReport: ["sent", "delivered"] } every accepted message with a StatusCallback gets those reports.
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, startFakeHttpServer } from "./fake-http-server.js";

export interface SmsRecord { sid: string; to: string; from?: string; messagingServiceSid?: string; body: string; statusCallback?: string; status: string }
type Failure = "rate-limit" | "server-error" | "invalid-number";
type Status = "queued" | "sent" | "delivered" | "undelivered" | "failed" | "read";

export interface SmsGatewayFake {
  url: string;
  accountSid: string;
  authToken: string;
  messages: SmsRecord[];
  /** Every Messages.json request, answered or refused, in order. */
  requests: Array<{ to: string; status: number }>;
  /** Status callbacks and inbound posts made, with the status our webhook answered. */
  callbacks: Array<{ url: string; params: Record<string, string>; status: number; body: string }>;
  failNext(times: number, failure: Failure, options?: { retryAfterSeconds?: number }): void;
  rejectNumber(to: string, code?: number): void;
  report(sid: string, status: Status, options?: { errorCode?: number; token?: string | null }): Promise<{ status: number; body: string }>;
  sendInbound(url: string, message: { from: string; to?: string; body: string; sid?: string }, options?: { token?: string | null }): Promise<{ status: number; body: string }>;
  /** Resolves once every automatic report started so far has been answered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

class TwilioError extends Error {
  constructor(readonly status: number, readonly code: number, message: string, readonly headers: Record<string, string> = {}) { super(message); }
}

/** X-Twilio-Signature, written from Twilio's documentation independently of the provider's own code. */
export function signTwilio(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((text, key) => text + key + params[key], url);
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf-8")).digest("base64");
}

export async function createSmsGatewayFake(options: { accountSid?: string; authToken?: string; autoReport?: Status[] } = {}): Promise<SmsGatewayFake> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString("hex")}`;
  const authToken = options.authToken ?? randomBytes(16).toString("hex");
  const messages: SmsRecord[] = [];
  const requests: SmsGatewayFake["requests"] = [];
  const callbacks: SmsGatewayFake["callbacks"] = [];
  const failures: Array<{ failure: Failure; retryAfterSeconds: number }> = [];
  const rejected = new Map<string, number>();
  const pending = new Set<Promise<unknown>>();
  let serial = 0;

  const server = await startFakeHttpServer(serve, (error) => {
    if (error instanceof TwilioError) return { status: error.status, body: errorBody(error) };
    return { status: 500, body: { code: 20500, message: String(error), status: 500 } };
  });

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? "/", server.url).pathname;
    const form = new URLSearchParams(await readText(request));
    const to = form.get("To") ?? "";
    try {
      const record = accept(request, path, form);
      requests.push({ to, status: 201 });
      sendJson(response, 201, messageJson(record));
      if (record.statusCallback && options.autoReport) track(autoReport(record.sid, options.autoReport));
    } catch (error) {
      const status = error instanceof TwilioError ? error.status : 500;
      requests.push({ to, status });
      if (error instanceof TwilioError) {
        response.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...error.headers }).end(JSON.stringify(errorBody(error)));
        return;
      }
      throw error;
    }
  }

  function accept(request: IncomingMessage, path: string, form: URLSearchParams): SmsRecord {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!match || request.method !== "POST") throw new TwilioError(404, 20404, `The requested resource ${path} was not found`);
    const [user, password] = Buffer.from((request.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString("utf8").split(":");
    if (user !== accountSid || password !== authToken || decodeURIComponent(match[1]!) !== accountSid) throw new TwilioError(401, 20003, "Authenticate");
    const failure = failures.shift();
    if (failure?.failure === "rate-limit") throw new TwilioError(429, 20429, "Too Many Requests", { "Retry-After": String(failure.retryAfterSeconds) });
    if (failure?.failure === "server-error") throw new TwilioError(500, 20500, "Internal Server Error");
    const to = form.get("To") ?? "";
    if (failure?.failure === "invalid-number" || !/^\+[1-9]\d{6,14}$/.test(to)) throw new TwilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const code = rejected.get(to);
    if (code !== undefined) throw new TwilioError(400, code, code === 21614 ? `'To' number ${to} is not a valid mobile number` : `The message to ${to} cannot be sent (${code})`);
    const from = form.get("From") ?? undefined, messagingServiceSid = form.get("MessagingServiceSid") ?? undefined;
    if (!from && !messagingServiceSid) throw new TwilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message");
    const body = form.get("Body") ?? "";
    if (!body) throw new TwilioError(400, 21602, "Message body is required.");
    const record: SmsRecord = { sid: `SM${String(++serial).padStart(32, "0")}`, to, from, messagingServiceSid, body, statusCallback: form.get("StatusCallback") ?? undefined, status: "queued" };
    messages.push(record);
    return record;
  }

  function messageJson(record: SmsRecord) {
    return {
      sid: record.sid, account_sid: accountSid, to: record.to, from: record.from ?? null, messaging_service_sid: record.messagingServiceSid ?? null, body: record.body,
      status: record.status, num_segments: "1", direction: "outbound-api", api_version: "2010-04-01", price: null, error_code: null, error_message: null,
      date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${accountSid}/Messages/${record.sid}.json`,
    };
  }

  function errorBody(error: TwilioError) {
    return { code: error.code, message: error.message, more_info: `https://www.twilio.com/docs/errors/${error.code}`, status: error.status };
  }

  async function post(url: string, params: Record<string, string>, token: string | null | undefined) {
    const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "TwilioProxy/1.1", "I-Twilio-Idempotency-Token": randomBytes(8).toString("hex") };
    const key = token === undefined ? authToken : token;
    if (key) headers["X-Twilio-Signature"] = signTwilio(key, url, params);
    const answer = await fetch(url, { method: "POST", headers, body: new URLSearchParams(params).toString(), signal: AbortSignal.timeout(10_000) });
    const result = { status: answer.status, body: await answer.text() };
    callbacks.push({ url, params, ...result });
    return result;
  }

  async function report(sid: string, status: Status, reportOptions: { errorCode?: number; token?: string | null } = {}) {
    const record = messages.find((m) => m.sid === sid);
    if (!record?.statusCallback) throw new Error(`message ${sid} has no StatusCallback`);
    record.status = status;
    const params: Record<string, string> = {
      AccountSid: accountSid, ApiVersion: "2010-04-01", MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status, To: record.to,
      ...(record.from ? { From: record.from } : {}), ...(record.messagingServiceSid ? { MessagingServiceSid: record.messagingServiceSid } : {}),
      ...(reportOptions.errorCode !== undefined ? { ErrorCode: String(reportOptions.errorCode) } : {}),
    };
    return post(record.statusCallback, params, reportOptions.token);
  }

  async function autoReport(sid: string, statuses: Status[]) {
    for (const status of statuses) await report(sid, status).catch(() => undefined);
  }

  function track(promise: Promise<unknown>) {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  }

  return {
    url: server.url, accountSid, authToken, messages, requests, callbacks, report,
    failNext: (times, failure, failOptions = {}) => { for (let i = 0; i < times; i++) failures.push({ failure, retryAfterSeconds: failOptions.retryAfterSeconds ?? 1 }); },
    rejectNumber: (to, code = 21614) => void rejected.set(to, code),
    sendInbound: (url, message, inboundOptions = {}) => {
      const sid = message.sid ?? `SM${randomBytes(16).toString("hex")}`;
      return post(url, {
        AccountSid: accountSid, ApiVersion: "2010-04-01", MessageSid: sid, SmsSid: sid, SmsMessageSid: sid, SmsStatus: "received",
        From: message.from, To: message.to ?? "+15005550006", Body: message.body, NumMedia: "0", NumSegments: "1", FromCountry: "US", ToCountry: "US",
      }, inboundOptions.token);
    },
    settled: async () => { while (pending.size > 0) await Promise.allSettled([...pending]); },
    close: server.close,
  };
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
