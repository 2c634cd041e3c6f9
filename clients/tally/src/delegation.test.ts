import { describe, expect, it } from "vitest";
import { resolveDelegationsPure, type DelegationEdge } from "./delegation.js";

const d = (delegatorId: string, delegateId: string, topic = ""): DelegationEdge => ({ delegatorId, delegateId, topic });
const run = (delegations: DelegationEdge[], voters: string[], eligible: string[], topics: string[] = []) =>
  resolveDelegationsPure({ delegations, topics, eligible, voters: new Set(voters) });
const flowOf = (r: ReturnType<typeof run>, id: string) => r.flows.find((f) => f.voterId === id);

describe("resolveDelegationsPure", () => {
  it("follows transitive chains to the first delegate who voted", () => {
    const r = run([d("a", "b"), d("b", "c"), d("c", "d")], ["d"], ["a", "b", "c", "d"]);
    expect(r.weightByVoter.get("d")).toBe(4);
    expect(flowOf(r, "a")).toMatchObject({ chain: ["b", "c", "d"], countedWith: "d", outcome: "delegated" });
    expect(r.delegatedWeight).toBe(3);
    expect(r.lostWeight).toBe(0);
  });
  it("a direct vote overrides the voter's own delegation and stops weight there", () => {
    const r = run([d("a", "b"), d("b", "c")], ["b", "c"], ["a", "b", "c"]);
    expect(r.weightByVoter.get("b")).toBe(2);
    expect(r.weightByVoter.get("c")).toBe(1);
    expect(flowOf(r, "b")).toMatchObject({ outcome: "direct", chain: [] });
  });
  it("picks the most specific scope: a poll topic beats global, the poll's first listed topic wins", () => {
    const delegations = [d("a", "g"), d("a", "t2", "budget"), d("a", "t1", "parks"), d("a", "x", "other")];
    const r = run(delegations, ["g", "t1", "t2", "x"], ["a"], ["parks", "budget"]);
    expect(flowOf(r, "a")?.countedWith).toBe("t1");
    expect(run(delegations, ["g", "t1", "t2", "x"], ["a"], ["budget"]).flows.find((f) => f.voterId === "a")?.countedWith).toBe("t2");
    expect(run(delegations, ["g", "t1", "t2", "x"], ["a"], []).flows.find((f) => f.voterId === "a")?.countedWith).toBe("g");
  });
  it("each hop uses the delegate's own most specific delegation", () => {
    const r = run([d("a", "b", "parks"), d("b", "c"), d("b", "e", "parks")], ["c", "e"], ["a", "b"], ["parks"]);
    expect(flowOf(r, "a")).toMatchObject({ chain: ["b", "e"], countedWith: "e" });
  });
  it("loses weight caught in a cross-scope cycle, and never counts it twice", () => {
    // a→b globally, b→a on "parks": for a parks poll this is a cycle.
    const r = run([d("a", "b"), d("b", "a", "parks"), d("c", "a")], ["z"], ["a", "b", "c", "z"], ["parks"]);
    expect(flowOf(r, "a")?.outcome).toBe("lost_in_cycle");
    expect(flowOf(r, "b")?.outcome).toBe("lost_in_cycle");
    expect(flowOf(r, "c")).toMatchObject({ outcome: "lost_in_cycle", countedWith: "" });
    expect(r.lostWeight).toBe(3);
    expect([...r.weightByVoter.values()].reduce((x, y) => x + y)).toBe(1);
    // The same delegations for a poll without the topic: no cycle, the weight dead-ends at b.
    const global = run([d("a", "b"), d("b", "a", "parks")], ["z"], ["a", "b", "z"], []);
    expect(global.flows.find((f) => f.voterId === "a")?.outcome).toBe("delegate_did_not_vote");
  });
  it("marks weight reaching a delegate who neither voted nor delegated as lost", () => {
    const r = run([d("a", "b"), d("b", "c")], [], ["a", "b", "c"]);
    expect(r.flows.map((f) => f.outcome)).toEqual(["delegate_did_not_vote", "delegate_did_not_vote"]);
    expect(flowOf(r, "a")?.chain).toEqual(["b", "c"]);
    expect(r.lostWeight).toBe(2);
  });
  it("carries only eligible weight, but passes through anyone", () => {
    const r = run([d("a", "obs"), d("obs", "v"), d("x", "v")], ["v"], ["a", "v"]);
    expect(r.weightByVoter.get("v")).toBe(2);
    expect(flowOf(r, "x")).toBeUndefined();
  });
  // Speed is measured by bench/delegation.ts (1,000,000 members, 300,000 delegations); this only proves that a
  // very long chain resolves without recursion (no stack overflow) and counts every weight exactly once.
  it("follows a chain of 100,000 delegations without recursion", () => {
    const n = 100_000;
    const edges: DelegationEdge[] = [];
    for (let i = 0; i < n; i++) edges.push(d(`p${i}`, `p${i + 1}`));
    const eligible = Array.from({ length: n + 1 }, (_, i) => `p${i}`);
    const r = resolveDelegationsPure({ delegations: edges, topics: [], eligible, voters: new Set([`p${n}`]) });
    expect(r.weightByVoter.get(`p${n}`)).toBe(n + 1);
    expect(r.delegatedWeight).toBe(n);
    expect(r.lostWeight).toBe(0);
  });
});
