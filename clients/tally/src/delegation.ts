// Where each member's weight goes in a poll: the pure algorithm, shared by the server (mod/voting reads the
// delegations from PostgreSQL) and the activity-log audit (replaying the log). No I/O, no Node APIs.
//
// Rules:
//   1. A member who voted keeps their own weight: their delegations are ignored for this poll.
//   2. Otherwise their weight follows their most specific delegation in force: a delegation for one of the
//      poll's topics beats the global one (topic ""); when they delegated for several of the poll's topics,
//      the poll's FIRST LISTED topic among them wins (the poll's author orders topics by relevance).
//   3. The weight moves on transitively, each delegate forwarding by their own most specific delegation for
//      this poll, until it reaches someone who voted (it is counted with their ballot: "delegated"), someone who
//      neither voted nor delegated ("delegate_did_not_vote", lost) or a delegate it already passed
//      ("lost_in_cycle", lost: never counted twice). Cycles across scopes (A→B global, B→A on a topic) are
//      only visible here, which is why they are resolved at tally time.
// Each member's weight is 1; only eligible members carry weight, but it may pass through anyone.
// Cost: O(members + delegations) time, each graph node resolved once (path compression), memory
// proportional to the delegations; chains are built only when a flow's `chain` is read.
export interface WeightFlowRecord {
  voterId: string;
  // Delegates the weight passed through, nearest first; empty for a direct vote.
  chain: string[];
  // Whose ballot the weight was counted with; "" when lost.
  countedWith: string;
  outcome: "direct" | "delegated" | "lost_in_cycle" | "delegate_did_not_vote";
}

export interface DelegationResolution {
  // Total weight per voter who cast a ballot (1 for themselves plus what reached them).
  weightByVoter: Map<string, number>;
  flows: WeightFlowRecord[];
  delegatedWeight: number;
  lostWeight: number;
}

export interface DelegationEdge {
  delegatorId: string;
  delegateId: string;
  /** "" for the global scope. */
  topic: string;
}

/** The poll-specific graph: each delegator's chosen delegate, as integer-indexed arrays. */
export interface DelegationGraph {
  indexOf: Map<string, number>;
  ids: string[];
  /** next[i]: index of i's delegate, -1 when i has no delegation in scope. */
  next: Int32Array;
}

/** Builds the graph from the delegations in force, keeping per delegator the most specific one for `topics`. */
export function buildGraph(edges: Iterable<DelegationEdge>, topics: readonly string[]): DelegationGraph {
  const builder = createGraphBuilder(topics);
  for (const e of edges) builder.add(e);
  return builder.finish();
}

/** The same, fed one delegation at a time (rows streamed from the database are never all held). */
export function createGraphBuilder(topics: readonly string[]): { add(e: DelegationEdge): void; finish(): DelegationGraph } {
  const rankOfTopic = new Map<string, number>(topics.map((t, i) => [t, i]));
  rankOfTopic.set("", topics.length);
  const chosen = new Map<string, { delegateId: string; rank: number }>();
  return {
    add(e) {
      const rank = rankOfTopic.get(e.topic);
      if (rank === undefined) return; // a topic this poll does not have
      const current = chosen.get(e.delegatorId);
      if (!current || rank < current.rank) chosen.set(e.delegatorId, { delegateId: e.delegateId, rank });
    },
    finish() {
      const indexOf = new Map<string, number>();
      const ids: string[] = [];
      const intern = (id: string) => {
        let i = indexOf.get(id);
        if (i === undefined) {
          i = ids.length;
          indexOf.set(id, i);
          ids.push(id);
        }
        return i;
      };
      const pairs: number[] = [];
      for (const [delegator, { delegateId }] of chosen) pairs.push(intern(delegator), intern(delegateId));
      chosen.clear();
      const next = new Int32Array(ids.length).fill(-1);
      for (let k = 0; k < pairs.length; k += 2) next[pairs[k]] = pairs[k + 1];
      return { indexOf, ids, next };
    },
  };
}

const UNSEEN = -1;
const ON_PATH = -2;
const CYCLE = -3;
const DEAD_END = -4;

/**
 * Resolves every eligible member's weight. `eligible` may hold a million ids: it is iterated once and never
 * copied.
 */
export function resolveWithGraph(graph: DelegationGraph, eligible: Iterable<string>, voters: ReadonlySet<string>): DelegationResolution {
  const { ids, next, indexOf } = graph;
  const n = ids.length;
  // terminal[i]: index of the voter i's weight reaches, or CYCLE / DEAD_END; UNSEEN until resolved.
  const terminal = new Int32Array(n).fill(UNSEEN);
  const path: number[] = [];
  const resolve = (start: number): number => {
    let i = start;
    let end: number;
    for (;;) {
      if (terminal[i] !== UNSEEN) {
        end = terminal[i] === ON_PATH ? CYCLE : terminal[i];
        break;
      }
      if (i !== start && voters.has(ids[i])) {
        end = i;
        break;
      }
      const j = next[i];
      if (j < 0) {
        end = DEAD_END;
        break;
      }
      terminal[i] = ON_PATH;
      path.push(i);
      i = j;
    }
    // A delegator's own vote is checked by the caller; on the path every node forwards to `end`.
    for (const k of path) terminal[k] = end;
    path.length = 0;
    return end;
  };

  const weightByVoter = new Map<string, number>();
  for (const v of voters) weightByVoter.set(v, 1);
  const flows: WeightFlowRecord[] = [];
  let delegatedWeight = 0;
  let lostWeight = 0;
  for (const member of eligible) {
    if (voters.has(member)) {
      flows.push({ voterId: member, chain: [], countedWith: member, outcome: "direct" });
      continue;
    }
    const i = indexOf.get(member);
    if (i === undefined || next[i] < 0) continue; // neither voted nor delegated: abstains
    const end = resolve(i);
    if (end >= 0) {
      const voter = ids[end];
      weightByVoter.set(voter, (weightByVoter.get(voter) ?? 0) + 1);
      delegatedWeight++;
      flows.push(lazyFlow(graph, voters, i, voter, "delegated"));
    } else {
      lostWeight++;
      flows.push(lazyFlow(graph, voters, i, "", end === CYCLE ? "lost_in_cycle" : "delegate_did_not_vote"));
    }
  }
  return { weightByVoter, flows, delegatedWeight, lostWeight };
}

/** The delegates from `start` on, nearest first, up to the voter, the dead end, or the first repeat. */
export function chainFrom(graph: DelegationGraph, voters: ReadonlySet<string>, start: number): string[] {
  const chain: string[] = [];
  const seen = new Set<number>([start]);
  let i = graph.next[start];
  while (i >= 0 && !seen.has(i)) {
    chain.push(graph.ids[i]);
    if (voters.has(graph.ids[i])) break;
    seen.add(i);
    i = graph.next[i];
  }
  return chain;
}

// Chains can be long (a 300,000-hop line makes materialising them all quadratic), so each is computed when read.
function lazyFlow(graph: DelegationGraph, voters: ReadonlySet<string>, start: number, countedWith: string, outcome: WeightFlowRecord["outcome"]): WeightFlowRecord {
  let chain: string[] | undefined;
  const flow = { voterId: graph.ids[start], countedWith, outcome } as WeightFlowRecord;
  Object.defineProperty(flow, "chain", {
    enumerable: true,
    get: () => (chain ??= chainFrom(graph, voters, start)),
    set: (value: string[]) => (chain = value),
  });
  return flow;
}

/** The whole resolution from plain delegations (the audit's entry point). */
export function resolveDelegationsPure(input: {
  delegations: Iterable<DelegationEdge>;
  topics: readonly string[];
  eligible: Iterable<string>;
  voters: ReadonlySet<string>;
}): DelegationResolution {
  return resolveWithGraph(buildGraph(input.delegations, input.topics), input.eligible, input.voters);
}
