// Which state moves are allowed. Outgoing messages move forward along Voluble's path, and end in FAILED or
// CANCELLED; a receipt that arrives late (DELIVERED_SERVICE after READ) or out of turn changes nothing.
import { MessageState } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";

const PATH = [MessageState.PENDING, MessageState.SENDING, MessageState.SENT, MessageState.DELIVERED_SERVICE, MessageState.DELIVERED_USER, MessageState.READ, MessageState.REPLIED];

export function canMove(from: MessageState, to: MessageState): boolean {
  const a = PATH.indexOf(from);
  const b = PATH.indexOf(to);
  if (a >= 0 && b >= 0) return b > a;
  // A carrier may still report an accepted message undeliverable; nothing after the person got it can fail.
  if (to === MessageState.FAILED) return a >= 0 && a <= PATH.indexOf(MessageState.DELIVERED_SERVICE);
  // Cancelled before any service accepted it (a SENDING message waits for a retry, or its blast was cancelled).
  if (to === MessageState.CANCELLED) return from === MessageState.PENDING || from === MessageState.SENDING;
  return false;
}

/** States a message does not leave by itself (a FAILED one leaves only by RetryMessage). */
export function isFinal(state: MessageState): boolean {
  return state === MessageState.FAILED || state === MessageState.CANCELLED || PATH.indexOf(state) >= PATH.indexOf(MessageState.SENT);
}
