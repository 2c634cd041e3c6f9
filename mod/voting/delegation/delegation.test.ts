import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import {
  ListDelegationsRequestSchema, RevokeDelegationRequestSchema, SetDelegationRequestSchema,
} from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { Database } from "../../../sys/core/db.js";
import { reasonOf } from "../../../sys/core/errors.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { ActivityEntry } from "../activity/entities.js";
import { callAs, memoryDirectory, modContext, openTestDb, type Backend } from "../activity/test-support.js";
import { createDelegationHandlers } from "./handlers.js";
import { resolveDelegations } from "./resolve.js";

const C = "00000000-0000-4000-8000-0000000000c1";
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const [A, B, Cc, D, E, OUT] = [1, 2, 3, 4, 5, 99].map(id);

for (const backend of ["pglite", "postgres"] as Backend[]) {
  describe(`delegation on ${backend}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    const directory = memoryDirectory();
    directory.members.set(C, [A, B, Cc, D, E].map((accountId) => ({ accountId, role: "member" as const })));
    beforeAll(async () => ({ db, cleanup } = await openTestDb(backend, "delegation")));
    afterAll(() => cleanup());
    const h = () => createDelegationHandlers(modContext(db, directory));
    const set = async (from: string, to: string, topic = "") =>
      h().setDelegation!(create(SetDelegationRequestSchema, { communityId: C, delegateId: to, topic }), callAs(from));
    const reason = (p: unknown) => Promise.resolve(p).then(() => "ok", (e: unknown) => (e instanceof ConnectError ? reasonOf(e) : String(e)));

    it("refuses self-delegation and non-members", async () => {
      expect(await reason(set(A, A))).toBe("SELF_DELEGATION");
      expect(await reason(set(A, OUT))).toBe("NOT_A_MEMBER");
    });

    it("refuses a cycle in the same scope, naming the chain; allows it across scopes", async () => {
      await set(A, B);
      await set(B, Cc);
      const err = await set(Cc, A).catch((e: ConnectError) => e);
      expect(reasonOf(err)).toBe("DELEGATION_CYCLE");
      expect((err as ConnectError).rawMessage).toContain(`${Cc} → ${A} → ${B} → ${Cc}`);
      expect(await reason(set(Cc, A, "parks"))).toBe("ok");
      const res = await h().listDelegations!(create(ListDelegationsRequestSchema, { communityId: C }), callAs(A));
      expect(res.outgoing?.[0]).toMatchObject({ delegateId: B, chain: [B, Cc] });
      expect(res.incoming?.map((x) => x.delegatorId)).toEqual([Cc]);
    });

    it("lets no two concurrent delegations close a cycle together", async () => {
      const results = await Promise.all([reason(set(D, E, "x")), reason(set(E, D, "x"))]);
      expect(results.sort()).toEqual(["DELEGATION_CYCLE", "ok"]);
    });

    it("replaces, revokes, and logs both in the chain", async () => {
      await set(D, A, "y");
      await set(D, B, "y");
      await h().revokeDelegation!(create(RevokeDelegationRequestSchema, { communityId: C, topic: "y" }), callAs(D));
      expect(await reason(h().revokeDelegation!(create(RevokeDelegationRequestSchema, { communityId: C, topic: "y" }), callAs(D)))).toBe("NOT_FOUND");
      const em = db.em();
      const log = await query<{ kind: string; payload: string }>(em, `select kind, payload from ${tableOf(em, ActivityEntry)} where community_id = ? order by sequence`, [C]);
      expect(log.slice(-3).map((e) => [e.kind, JSON.parse(e.payload).delegate_id])).toEqual([
        ["delegation_created", A], ["delegation_created", B], ["delegation_revoked", B]]);
    });

    it("resolveDelegations reads the table: cross-scope cycles lost, most specific scope, direct votes", async () => {
      // In force: A→B, B→C (global), C→A (parks), D→E or E→D (x).
      const parks = await resolveDelegations({ em: db.em(), communityId: C, topics: ["parks"], eligible: [A, B, Cc, D, E], voters: new Set([E]) });
      expect(parks.flows.filter((f) => f.outcome === "lost_in_cycle").map((f) => f.voterId).sort()).toEqual([A, B, Cc].sort());
      const plain = await resolveDelegations({ em: db.em(), communityId: C, topics: [], eligible: [A, B, Cc, D, E], voters: new Set([Cc]) });
      expect(plain.weightByVoter.get(Cc)).toBe(3);
      const direct = await resolveDelegations({ em: db.em(), communityId: C, topics: [], eligible: [A, B, Cc], voters: new Set([B, Cc]) });
      expect(direct.weightByVoter.get(B)).toBe(2);
      expect(direct.weightByVoter.get(Cc)).toBe(1);
    });
  });
}
