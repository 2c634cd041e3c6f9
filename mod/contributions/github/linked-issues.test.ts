// Which issues a pull request links to: "#n" and GitHub's closing keywords, in the title or body, in its own
// repository only.
import { describe, expect, it } from "vitest";
import { linkedIssues } from "./linked-issues.js";

describe("linked issues", () => {
  it("finds #n and closing keywords in the title and body", () => {
    expect(linkedIssues("coast/harbour", "Fix the bench (#12)", "Fixes #3, closes: #4\nResolved coast/harbour#5 and see #12")).toEqual([3, 4, 5, 12]);
  });

  it("takes full issue links of its own repository", () => {
    expect(linkedIssues("Coast/Harbour", "", "Part of https://github.com/coast/harbour/issues/9")).toEqual([9]);
  });

  it("ignores other repositories, anchors and colours", () => {
    expect(linkedIssues("coast/harbour", "Fixes other/repo#3", "See https://github.com/other/repo/issues/7, the #fff colour and page.html#section")).toEqual([]);
  });
});
