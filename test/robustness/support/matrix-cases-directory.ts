// Authorization-matrix cases for the directory reads the mod tier makes of sys (to be merged into CASES of
// matrix-cases.ts): GetMemberProfiles on the public and the members-only community of each org, asking about
// real members (the pawn, the member, the community admin) so the leak scan sees any email shown to someone who
// may not read it, and about an account that is nobody (left out of the answer, not refused).
import type { Case, Cell } from "./matrix-cases.js";
import type { CommunityFx } from "./matrix-fixture.js";

type Request = Record<string, unknown>;

const communities = (build: (c: Cell, community: CommunityFx) => Request): Case["variants"] => ({
  public: (c) => build(c, c.org.pub),
  membersOnly: (c) => build(c, c.org.mo),
});

export const DIRECTORY_CASES: Record<string, Case> = {
  "CommunityService/GetMemberProfiles": {
    variants: communities((c, k) => ({
      communityId: k.id,
      accountIds: [...new Set([c.fx.pawnId, c.fx.actors.member.accountId, c.fx.actors.commAdmin.accountId, crypto.randomUUID()].filter((id): id is string => !!id))],
    })),
  },
};
