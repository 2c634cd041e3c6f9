// sms: an HTTP SMS gateway in the shape of Twilio's Messages API (Twilio itself, or any gateway that copies
// it). A message is SENT once the gateway queues it; its status callbacks then report DELIVERED_SERVICE (sent to
// the carrier), DELIVERED_USER (delivered to the handset) or FAILED. Inbound texts and status callbacks arrive on
// the provider's webhook, signed with X-Twilio-Signature.
import { Channel } from "../../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { defineProvider, type InboundEvent, permanentFailure } from "../sdk/define-provider.js";
import { describeBody, failureFromResponse, readJsonBody } from "../sdk/http.js";
import { formFields, headerOf, sameSecret } from "../sdk/inbound.js";
import { EMPTY_TWIML, PERMANENT_ERROR_CODES, stateOfStatus, twilioSignature } from "./sms-twilio.js";

export type SmsConfig = {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  messagingServiceSid?: string;
};

export const smsProvider = defineProvider<SmsConfig>({
  kind: "sms",
  channel: Channel.SMS,
  description: "SMS through Twilio's Messages API (or a gateway with the same API), with delivery receipts and replies.",
  // A long code sends about one message a second; raise it for a short code or a messaging service.
  defaultRatePerSecond: 1,
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["accountSid", "authToken", "from"],
    properties: {
      baseUrl: { type: "string", format: "uri", default: "https://api.twilio.com", description: "API base URL (Twilio's, or a compatible gateway's)" },
      accountSid: { type: "string", minLength: 2, description: "Account SID (AC…)" },
      authToken: { type: "string", writeOnly: true, minLength: 1, description: "Auth token: API credential and webhook signing key" },
      from: { type: "string", minLength: 1, description: "Sender: an E.164 number or an alphanumeric sender id" },
      messagingServiceSid: { type: "string", description: "Messaging service (MG…) to send through instead of a single number" },
    },
  },

  async send({ config, fetch, signal }, message) {
    const form = new URLSearchParams({ To: message.to, Body: message.subject ? `${message.subject}\n\n${message.text}` : message.text });
    if (config.messagingServiceSid) form.set("MessagingServiceSid", config.messagingServiceSid);
    else form.set("From", config.from);
    if (message.statusCallbackUrl) form.set("StatusCallback", message.statusCallbackUrl);
    const url = `${config.baseUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    const response = await fetch(url, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: form.toString(),
      signal,
    });
    const body = (await readJsonBody(response)) as { sid?: unknown; status?: unknown; code?: unknown; message?: unknown } | undefined;
    if (response.ok) {
      if (typeof body?.sid !== "string") throw permanentFailure(`gateway accepted the message but named no sid: ${describeBody(body)}`);
      return { providerMessageId: body.sid, state: "SENT" };
    }
    const detail = typeof body?.code === "number" ? `Twilio error ${body.code}: ${String(body.message ?? "")}` : describeBody(body);
    if (typeof body?.code === "number" && PERMANENT_ERROR_CODES.has(body.code)) throw permanentFailure(detail);
    throw failureFromResponse(response, detail);
  },

  inbound: {
    verify(req, config) {
      const given = headerOf(req, "X-Twilio-Signature");
      if (!given || !config.authToken) return false;
      return sameSecret(given, twilioSignature(config.authToken, req.url, new URLSearchParams(req.rawBody.toString("utf8"))));
    },

    parse(req): InboundEvent[] {
      const fields = formFields(req.rawBody);
      const sid = fields.MessageSid ?? fields.SmsSid ?? fields.SmsMessageSid;
      if (!sid) throw new Error("no MessageSid");
      const status = fields.MessageStatus ?? (fields.SmsStatus === "received" ? undefined : fields.SmsStatus);
      if (status !== undefined && status !== "received") {
        const state = stateOfStatus(status);
        if (!state) return [];
        const reason = fields.ErrorCode ? `Twilio error ${fields.ErrorCode}${fields.ErrorMessage ? `: ${fields.ErrorMessage}` : ""}` : state === "FAILED" ? status : undefined;
        return [{ kind: "status", providerMessageId: sid, state, ...(reason ? { reason } : {}) }];
      }
      if (!fields.From) throw new Error("an inbound message needs From");
      return [{ kind: "message", providerMessageId: sid, from: fields.From, text: fields.Body ?? "" }];
    },

    // Twilio reads the answer as TwiML: an empty Response sends no auto-reply.
    reply: () => ({ status: 200, headers: { "content-type": "text/xml; charset=utf-8" }, body: EMPTY_TWIML }),
  },
});
