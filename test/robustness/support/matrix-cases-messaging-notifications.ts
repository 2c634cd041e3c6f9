// Authorization-matrix cases for NotificationService (to be merged into CASES of matrix-cases.ts): both RPCs
// name a community, public and members-only; setting turns nothing on (every event off) so no other cell sees
// messages from it.
import type { Case, Cell } from "./matrix-cases.js";
import type { CommunityFx } from "./matrix-fixture.js";

type Request = Record<string, unknown>;

const communities = (build: (c: Cell, community: CommunityFx) => Request): Case["variants"] => ({
  public: (c) => build(c, c.org.pub),
  membersOnly: (c) => build(c, c.org.mo),
});

export const MESSAGING_NOTIFICATION_CASES: Record<string, Case> = {
  "NotificationService/GetCommunityNotifications": { variants: communities((_, k) => ({ communityId: k.id })) },
  "NotificationService/SetCommunityNotifications": {
    variants: communities((_, k) => ({ notifications: { communityId: k.id, pollOpened: { enabled: false }, closingSoonLead: { seconds: 3600n }, category: "matrix" } })),
  },
};
