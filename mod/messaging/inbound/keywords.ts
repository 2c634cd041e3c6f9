// SMS keywords the carriers' and CTIA's rules give a fixed meaning: a message that is only one of these words
// (any case, surrounding spaces ignored) opts the sender out of, or back into, SMS from this org.
import { MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
const STOP_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]);
const START_WORDS = new Set(["START", "UNSTOP"]);

export type SmsKeyword = "stop" | "start" | undefined;

export function smsKeyword(text: string): SmsKeyword {
  const word = text.trim().toUpperCase();
  if (STOP_WORDS.has(word)) return "stop";
  if (START_WORDS.has(word)) return "start";
  return undefined;
}

/** The consent source an inbound STOP records; START undoes only an opt-out with this source. */
export const INBOUND_STOP_SOURCE = "inbound STOP";
export const INBOUND_START_SOURCE = "inbound START";

/** The states a provider's delivery receipt may report, by the names the SDK's InboundEvent uses. */
export const RECEIPT_STATES = {
  DELIVERED_SERVICE: MessageState.DELIVERED_SERVICE,
  DELIVERED_USER: MessageState.DELIVERED_USER,
  READ: MessageState.READ,
  FAILED: MessageState.FAILED,
} as const;
