// The parts of Twilio's protocol the sms provider needs: its webhook signature and what its states and error
// codes mean for a message.
import { createHmac } from "node:crypto";
import type { InboundEvent } from "../sdk/define-provider.js";

/**
 * X-Twilio-Signature as Twilio documents it: base64 HMAC-SHA1, keyed with the auth token, of the full URL the
 * request was sent to followed by every POST parameter, sorted by name, as name then value, no separators.
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const pairs = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const data = url + pairs.map(([name, value]) => name + value).join("");
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

// Twilio errors that say the recipient cannot be reached this way: retrying will not help, another channel may.
// 21211 invalid To, 21214 To cannot be reached, 21408 region not enabled, 21610 recipient sent STOP, 21612 To
// not reachable from this From, 21614 To is not a mobile number, 30003-30006 unreachable/blocked/unknown/landline.
export const PERMANENT_ERROR_CODES = new Set([21211, 21214, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006]);

/** A status callback's MessageStatus as a delivery state; undefined for the steps before (queued, sending…). */
export function stateOfStatus(status: string): Extract<InboundEvent, { kind: "status" }>["state"] | undefined {
  switch (status) {
    case "sent": return "DELIVERED_SERVICE";
    case "delivered": return "DELIVERED_USER";
    case "read": return "READ";
    case "undelivered":
    case "failed": return "FAILED";
    default: return undefined;
  }
}

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
