// The rules by which a typed reference names one thing: exact id, exact name (slug, title, email), unique
// id prefix; ambiguity and no match are errors that list the candidates or say where to look.
import { describe, expect, it } from "vitest";
import { isUuid, looksLikePrefix, pick, RefError, type Candidate } from "./resolve.js";

const polls: Candidate[] = [
  { id: "f5461fec-7d53-4bb4-bf4d-70990fb29a1b", names: ["Next meetup"], label: "Next meetup" },
  { id: "f54a0000-0000-4000-8000-000000000001", names: ["Budget 2027"], label: "Budget 2027" },
  { id: "0c0ffee0-0000-4000-8000-000000000002", names: ["cafe"], label: "cafe" },
  { id: "cafe0000-0000-4000-8000-000000000003", names: ["Twin"], label: "Twin one" },
  { id: "cafe1111-0000-4000-8000-000000000004", names: ["twin"], label: "Twin two" },
];
const run = (ref: string) => pick("poll", ref, polls, "polity polls list");
function pickError(ref: string, candidates: Candidate[]): RefError {
  try {
    pick("poll", ref, candidates, "polity polls list");
  } catch (err) {
    return err as RefError;
  }
  throw new Error(`"${ref}" resolved`);
}
const failure = (ref: string) => pickError(ref, polls);

describe("pick", () => {
  it("takes an exact id, in any case", () => {
    expect(run("F5461FEC-7D53-4BB4-BF4D-70990FB29A1B")).toBe(polls[0].id);
  });

  it("takes an exact name before a prefix, case-insensitively", () => {
    expect(run("next MEETUP")).toBe(polls[0].id);
    // "cafe" is a name of one poll and a prefix of two others: the name wins.
    expect(run("cafe")).toBe(polls[2].id);
  });

  it("takes a unique id prefix of four or more characters", () => {
    expect(run("f5461fec")).toBe(polls[0].id);
    expect(run("f54a")).toBe(polls[1].id);
    expect(run("0c0f")).toBe(polls[2].id);
  });

  it("refuses a prefix no id has, and one that several ids share", () => {
    expect(failure("f541").reason).toBe("NO_MATCH");
    expect(pickError("cafe", polls.filter((p) => p !== polls[2])).reason).toBe("AMBIGUOUS");
  });
});

describe("pick errors", () => {
  it("lists the candidates of an ambiguous prefix", () => {
    const err = pickError("f54", [polls[0], polls[1]]);
    expect(err.reason).toBe("NO_MATCH"); // three characters are too short to be a prefix
    const amb = pickError("f54a", [polls[1], { id: "f54a9999-0000-4000-8000-000000000009", names: [], label: "Other" }]);
    expect(amb.reason).toBe("AMBIGUOUS");
    expect(amb.message).toBe("\"f54a\" matches 2 polls. Pass more of the id to pick one:\n  f54a0000-0000-4000-8000-000000000001  Budget 2027\n  f54a9999-0000-4000-8000-000000000009  Other");
    expect(amb.candidates.map((c) => c.label)).toEqual(["Budget 2027", "Other"]);
  });

  it("refuses a name that two things share", () => {
    const err = pickError("twin", polls);
    expect(err.reason).toBe("AMBIGUOUS");
    expect(err.message).toContain("Twin one");
    expect(err.message).toContain("Twin two");
  });

  it("says where to look when nothing matches", () => {
    const err = pickError("lunch", polls);
    expect(err.reason).toBe("NO_MATCH");
    expect(err.message).toBe("No poll matches \"lunch\". See them with `polity polls list`, then pass a slug, a name or an id (a unique id prefix is enough).");
    const community = (() => { try { return pick("community", "ab12", [polls[0], { ...polls[0], id: "ab12" + polls[0].id.slice(4) }, { ...polls[1], id: "ab12" + polls[1].id.slice(4) }], "l"); } catch (e) { return e as RefError; } })() as RefError;
    expect(community.message).toMatch(/^"ab12" matches 2 communities\./);
  });
});

describe("helpers", () => {
  it("tells ids from prefixes", () => {
    expect(isUuid(polls[0].id)).toBe(true);
    expect(looksLikePrefix("f5461fec")).toBe(true);
    expect(looksLikePrefix(polls[0].id)).toBe(false);
    expect(looksLikePrefix("makers")).toBe(false);
    expect(looksLikePrefix("abc")).toBe(false);
  });
});
