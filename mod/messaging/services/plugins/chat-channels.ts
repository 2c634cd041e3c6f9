// A small memory of direct-message channels opened for users (Slack's conversations.open, Discord's
// /users/@me/channels), so a blast to a thousand members does not open each conversation a thousand times.
// Bounded: the oldest entries go first; a lost entry only costs one more open call.
import { createHash } from "node:crypto";

const LIMIT = 10_000;

export function createChannelMemory() {
  const channels = new Map<string, string>();
  // Keyed by a hash of the token, so two bots (two providers) never share an entry and no token is kept here.
  const keyOf = (token: string, user: string) => `${createHash("sha256").update(token).digest("base64url").slice(0, 16)}:${user}`;
  return {
    get: (token: string, user: string) => channels.get(keyOf(token, user)),
    set(token: string, user: string, channel: string) {
      if (channels.size >= LIMIT) channels.delete(channels.keys().next().value!);
      channels.set(keyOf(token, user), channel);
    },
  };
}
