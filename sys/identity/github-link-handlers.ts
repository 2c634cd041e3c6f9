// Linking one's own GitHub account: StartGitHubLink hands out a random state (only its hash is kept) bound to the
// caller's account, and CompleteGitHubLink accepts it once, from that account, before it expires — so a code
// obtained for someone else's GitHub account cannot be slipped into another person's session (OAuth's CSRF).
// The state is spent before GitHub is asked, so a failed exchange needs a fresh start, and a replay never works.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { IdentityService } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { requirePrincipal } from "../core/authn/principal.js";
import { failedPrecondition } from "../core/errors.js";
import { query, tableOf } from "../core/sql.js";
import type { SysContext } from "../core/sys-context.js";
import { writeTransaction } from "../core/write-transaction.js";
import { randomToken, sha256 } from "../shared/secrets.js";
import { toProto } from "./convert.js";
import { IdentityLinkState } from "./entities.js";
import { createGitHubOAuth, type GitHubOAuth } from "./github-oauth.js";
import { linkIdentity } from "./links.js";

type Handlers = Pick<ServiceImpl<typeof IdentityService>, "startGitHubLink" | "completeGitHubLink">;

const DAY_MS = 86_400_000;

export function createGitHubLinkHandlers(ctx: SysContext): Handlers {
  const { db, engine, config, logger } = ctx;
  const github = createGitHubOAuth(config, logger);

  const configured = (): GitHubOAuth => {
    if (!github) throw failedPrecondition("GITHUB_OAUTH_NOT_CONFIGURED", "GitHub linking is not configured on this server");
    return github;
  };

  /** Marks the caller's unspent, unexpired state used; false when there is no such state. */
  async function spend(state: string, accountId: string): Promise<boolean> {
    const em = db.em();
    const rows = await query<{ state_hash: string }>(
      em,
      `update ${tableOf(em, IdentityLinkState)} set used_at = ? where state_hash = ? and account_id = ? and platform = 'github' and used_at is null and expires_at > ? returning state_hash`,
      [new Date(), sha256(state), accountId, new Date()],
    );
    return rows.length === 1;
  }

  return {
    async startGitHubLink(_req, hc) {
      const accountId = requirePrincipal(hc).accountId;
      const oauth = configured();
      const state = randomToken();
      const now = new Date();
      const expiresAt = new Date(now.getTime() + config.githubLinkStateTtlSeconds * 1000);
      const em = db.em();
      // Housekeeping on the way: states a day past their expiry are no use to anyone.
      await em.nativeDelete(IdentityLinkState, { expiresAt: { $lt: new Date(now.getTime() - DAY_MS) } });
      await em.insert(IdentityLinkState, { stateHash: sha256(state), accountId, platform: "github", expiresAt, usedAt: null, createdAt: now });
      return { authorizeUrl: oauth.authorizeUrl(state), state, expiresAt: timestampFromDate(expiresAt) };
    },

    async completeGitHubLink(req, hc) {
      const accountId = requirePrincipal(hc).accountId;
      const oauth = configured();
      if (!(await spend(req.state, accountId))) {
        throw failedPrecondition("LINK_STATE_INVALID", "this GitHub link was not started by you, was already completed or has expired; start again");
      }
      const user = await oauth.user(await oauth.exchangeCode(req.code));
      const link = await writeTransaction(db, async (tx) => {
        const made = await linkIdentity(tx, { accountId, platform: "github", platformUserId: user.id, platformUsername: user.login, linkType: "oauth", linkQuality: "confirmed_strong" });
        await engine.audit({ kind: "identity_linked", actorId: accountId, subjectId: accountId, resource: `account/${accountId}`, reason: "github oauth confirmed_strong" }, tx);
        return made;
      });
      return { identity: toProto(link) };
    },
  };
}
