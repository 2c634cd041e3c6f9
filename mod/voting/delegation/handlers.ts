// SetDelegation, RevokeDelegation, ListDelegations. Changes to one scope run under that scope's advisory lock,
// so the cycle check cannot race another delegation; each change is logged in the same transaction.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  DelegationSchema, ListDelegationsResponseSchema, RevokeDelegationResponseSchema, SetDelegationResponseSchema,
  type VotingService,
} from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { bearerOf, requirePrincipal } from "../../../sys/core/authn/principal.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { failedPrecondition, invalidArgument, notFound } from "../../../sys/core/errors.js";
import type { ModContext } from "../../../sys/core/module.js";
import { appendActivity } from "../activity/append.js";
import { deleteDelegation, findDelegation, listDelegations, lockScope, upsertDelegation, walkScope, type DelegationRow } from "./store.js";

const scopeName = (topic: string) => (topic ? `topic "${topic}"` : "the global scope");

async function toProto(em: EntityManager, row: DelegationRow, withChain: boolean) {
  const chain = withChain ? (await walkScope(em, row.community_id, row.topic, row.delegate_id, row.delegator_id)) : [];
  return create(DelegationSchema, {
    id: row.id,
    communityId: row.community_id,
    delegatorId: row.delegator_id,
    delegateId: row.delegate_id,
    topic: row.topic,
    createdAt: timestampFromDate(new Date(row.created_at)),
    chain,
  });
}

export function createDelegationHandlers(ctx: ModContext): Partial<ServiceImpl<typeof VotingService>> {
  return {
    async setDelegation(req, call) {
      const me = requirePrincipal(call).accountId;
      const { communityId, delegateId, topic } = req;
      if (delegateId === me) throw invalidArgument("delegate_id", "you cannot delegate to yourself", "SELF_DELEGATION");
      const members = await ctx.directory.listMembers(communityId, [], bearerOf(call));
      if (!members.some((m) => m.accountId === delegateId))
        throw failedPrecondition("NOT_A_MEMBER", `${delegateId} is not a member of community ${communityId}`);
      const row = await ctx.db.em().transactional(async (tx) => {
        await lockScope(tx, communityId, topic);
        // Under the lock the scope has no cycle, so the walk from the new delegate ends; if it reaches the
        // caller, this delegation would close one.
        const walk = await walkScope(tx, communityId, topic, delegateId, me);
        if (walk.at(-1) === me)
          throw failedPrecondition("DELEGATION_CYCLE",
            `delegating to ${delegateId} in ${scopeName(topic)} would close a cycle: ${[me, ...walk].join(" → ")}`);
        const previous = await findDelegation(tx, communityId, me, topic);
        if (previous?.delegate_id === delegateId) return previous; // already so: nothing changes, nothing logged
        const next = { id: randomUUID(), community_id: communityId, delegator_id: me, topic, delegate_id: delegateId, created_at: new Date() };
        await upsertDelegation(tx, next);
        await appendActivity(tx, {
          communityId, kind: "delegation_created", actorId: me,
          payload: { delegator_id: me, delegate_id: delegateId, topic, replaced_delegate_id: previous?.delegate_id ?? "" },
        });
        return next;
      });
      return create(SetDelegationResponseSchema, { delegation: await toProto(ctx.db.em(), row, true) });
    },

    async revokeDelegation(req, call) {
      const me = requirePrincipal(call).accountId;
      await ctx.db.em().transactional(async (tx) => {
        await lockScope(tx, req.communityId, req.topic);
        const row = await deleteDelegation(tx, req.communityId, me, req.topic);
        if (!row) throw notFound("delegation", req.topic || "global");
        await appendActivity(tx, {
          communityId: req.communityId, kind: "delegation_revoked", actorId: me,
          payload: { delegator_id: me, delegate_id: row.delegate_id, topic: req.topic },
        });
      });
      return create(RevokeDelegationResponseSchema, {});
    },

    async listDelegations(req, call) {
      const me = requirePrincipal(call).accountId;
      const em = ctx.db.em();
      const outgoing = await listDelegations(em, req.communityId, "delegator_id", me);
      const incoming = await listDelegations(em, req.communityId, "delegate_id", me);
      return create(ListDelegationsResponseSchema, {
        outgoing: await Promise.all(outgoing.map((r) => toProto(em, r, true))),
        incoming: await Promise.all(incoming.map((r) => toProto(em, r, false))),
      });
    },
  };
}
