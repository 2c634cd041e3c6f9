// An unsubscribe link names org, recipient and channel in a token sealed with the secrets keyring (AES-GCM):
// nobody can forge one or read whom it names, links keep working across replicas and restarts, and a key
// rotation keeps old links valid while the previous key stays configured.
import { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { isUuid } from "../../../sys/core/sql.js";
import type { Keyring } from "../../../sys/core/secrets/keyring.js";
import type { RecipientRef } from "./recipients.js";

// Binds the token to its purpose: a sealed provider credential pasted here does not open.
const PURPOSE = "messaging/unsubscribe/v1";
const TOKEN = /^[A-Za-z0-9._-]{20,600}$/;

export interface UnsubscribeTarget {
  orgId: string;
  ref: RecipientRef;
  channel: Channel;
}

export function sealUnsubscribeToken(secrets: Keyring, target: UnsubscribeTarget): string {
  const { orgId, ref, channel } = target;
  const body = ref.member ? [orgId, channel, "m", ref.member.communityId, ref.member.accountId] : [orgId, channel, "c", ref.contactId ?? ""];
  return secrets.seal(JSON.stringify(body), PURPOSE);
}

/** The target a token names, or undefined for anything this server did not seal. */
export function openUnsubscribeToken(secrets: Keyring, token: string): UnsubscribeTarget | undefined {
  if (!TOKEN.test(token)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(secrets.open(token, PURPOSE));
  } catch {
    return undefined;
  }
  if (!Array.isArray(body) || !body.every((v) => typeof v === "string" || typeof v === "number")) return undefined;
  const [orgId, channel, kind, a, b] = body as [string, number, string, string?, string?];
  if (typeof orgId !== "string" || !isUuid(orgId) || typeof channel !== "number" || !Channel[channel]) return undefined;
  if (kind === "c" && typeof a === "string" && isUuid(a)) return { orgId, channel, ref: { contactId: a } };
  if (kind === "m" && typeof a === "string" && typeof b === "string" && isUuid(a) && isUuid(b)) {
    return { orgId, channel, ref: { member: { communityId: a, accountId: b } } };
  }
  return undefined;
}
