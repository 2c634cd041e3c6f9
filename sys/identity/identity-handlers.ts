// The admin and read side of IdentityService. Who may call what is the proto's rules; these handlers only apply
// the link rules (links.ts) and leave an audit event for every change.
import type { ServiceImpl } from "@connectrpc/connect";
import type { IdentityService } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { requirePrincipal } from "../core/authn/principal.js";
import { notFound } from "../core/errors.js";
import type { SysContext } from "../core/sys-context.js";
import { writeTransaction } from "../core/write-transaction.js";
import { qualityOf, toProto, typeOf } from "./convert.js";
import { linkIdentity, linkOf, linksOf, mergeIdentities, unlinkIdentity } from "./links.js";

type Handlers = Pick<ServiceImpl<typeof IdentityService>, "linkIdentity" | "listIdentities" | "unlinkIdentity" | "resolveIdentity" | "lookupIdentities" | "mergeIdentities">;

export function createIdentityHandlers(ctx: SysContext): Handlers {
  const { db, engine } = ctx;

  return {
    async linkIdentity(req, hc) {
      const actorId = requirePrincipal(hc).accountId;
      const linkType = typeOf(req.linkType) ?? "admin";
      const linkQuality = qualityOf(req.linkQuality) ?? (linkType === "admin" ? "confirmed_weak" : "unconfirmed");
      const link = await writeTransaction(db, async (tx) => {
        const made = await linkIdentity(tx, { accountId: req.accountId, platform: req.platform, platformUserId: req.platformUserId, platformUsername: req.platformUsername, linkType, linkQuality });
        await engine.audit({ kind: "identity_linked", actorId, subjectId: req.accountId, resource: `account/${req.accountId}`, reason: `${req.platform} ${linkType} ${made.linkQuality}` }, tx);
        return made;
      });
      return { identity: toProto(link) };
    },

    async listIdentities(req) {
      return { identities: (await linksOf(db.em(), [req.accountId])).map(toProto) };
    },

    async unlinkIdentity(req, hc) {
      const actorId = requirePrincipal(hc).accountId;
      await writeTransaction(db, async (tx) => {
        await unlinkIdentity(tx, req.accountId, req.platform, req.platformUserId);
        await engine.audit({ kind: "identity_unlinked", actorId, subjectId: req.accountId, resource: `account/${req.accountId}`, reason: req.platform }, tx);
      });
      return {};
    },

    async resolveIdentity(req) {
      const link = await linkOf(db.em(), req.platform, req.platformUserId);
      if (!link) throw notFound("identity", `${req.platform}/${req.platformUserId}`);
      return { identity: toProto(link) };
    },

    async lookupIdentities(req) {
      return { identities: (await linksOf(db.em(), req.accountIds, req.platform)).map(toProto) };
    },

    async mergeIdentities(req, hc) {
      const actorId = requirePrincipal(hc).accountId;
      const moved = await writeTransaction(db, async (tx) => {
        const count = await mergeIdentities(tx, req.sourceAccountId, req.targetAccountId);
        await engine.audit({ kind: "identities_merged", actorId, subjectId: req.targetAccountId, resource: `account/${req.sourceAccountId}`, reason: `${count} moved` }, tx);
        return count;
      });
      return { moved, identities: (await linksOf(db.em(), [req.targetAccountId])).map(toProto) };
    },
  };
}
