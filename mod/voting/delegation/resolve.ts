// resolveDelegations (contracts.ts): loads the community's delegations in scope for the poll, page by page
// in key order (so a big community is never one giant result set), and resolves them with the pure core.
import { createGraphBuilder, resolveWithGraph, type DelegationEdge } from "@polity/tally";
import type { EntityManager } from "../../../sys/core/db.js";
import type { ResolveDelegations } from "../contracts.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { Delegation } from "./entities.js";

const PAGE = 50_000;

/** Streams the community's delegations for these scopes ("" always included), in (delegator, topic) order. */
export async function* loadDelegations(em: EntityManager, communityId: string, topics: readonly string[]): AsyncGenerator<DelegationEdge> {
  const scopes = ["", ...topics.filter((t) => t !== "")];
  const table = tableOf(em, Delegation);
  const inList = scopes.map(() => "?").join(", ");
  let after: [string, string] | undefined;
  for (;;) {
    const keyset = after ? "and (delegator_id, topic) > (?, ?)" : "";
    const rows = await query<{ delegator_id: string; delegate_id: string; topic: string }>(em,
      `select delegator_id, delegate_id, topic from ${table} where community_id = ? and topic in (${inList}) ${keyset} ` +
      `order by delegator_id, topic limit ${PAGE}`,
      [communityId, ...scopes, ...(after ?? [])]);
    for (const r of rows) yield { delegatorId: r.delegator_id, delegateId: r.delegate_id, topic: r.topic };
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1];
    after = [last.delegator_id, last.topic];
  }
}

export const resolveDelegations: ResolveDelegations = async ({ em, communityId, topics, eligible, voters }) => {
  const builder = createGraphBuilder(topics);
  for await (const edge of loadDelegations(em, communityId, topics)) builder.add(edge);
  return resolveWithGraph(builder.finish(), eligible, voters);
};
