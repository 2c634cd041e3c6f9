// Markdown bodies as the terminal shows them: structure kept in plain text, markup and raw HTML gone.
import { describe, expect, it } from "vitest";
import { markdownToText } from "./markdown-text.js";

describe("markdownToText", () => {
  it("underlines top headings, upper-cases smaller ones and separates blocks by one blank line", () => {
    expect(markdownToText("# Our plan\n\nFirst.\n\n## Why\n\nBecause.\n\n### Costs\n\nLow.")).toBe(
      "Our plan\n========\n\nFirst.\n\nWhy\n---\n\nBecause.\n\nCOSTS\n\nLow.");
  });

  it("strips emphasis markers and keeps code in backticks and code blocks indented", () => {
    expect(markdownToText("We are **bold** about _trees_ and ~~weeds~~, run `polity vote`.")).toBe(
      "We are bold about trees and weeds, run `polity vote`.");
    expect(markdownToText("```\nfirst\n  second\n```")).toBe("    first\n      second");
  });

  it("lists with dashes or numbers, nests by indentation and marks tasks", () => {
    expect(markdownToText("- plant *apples*\n- prune pears\n  - the old ones\n- [x] water\n- [ ] weed")).toBe(
      "- plant apples\n- prune pears\n  - the old ones\n- [x] water\n- [ ] weed");
    expect(markdownToText("3. third\n4. fourth\n   more about it")).toBe("3. third\n4. fourth\n   more about it");
  });

  it("writes links as text (url), and a bare or mail address once", () => {
    expect(markdownToText("Read [the charter](https://example.org/charter).")).toBe("Read the charter (https://example.org/charter).");
    expect(markdownToText("See <https://example.org> or <ops@example.org>.")).toBe("See https://example.org or ops@example.org.");
    expect(markdownToText("![a map](https://example.org/map.png)")).toBe("a map (https://example.org/map.png)");
  });

  it("drops raw HTML tags, scripts whole, and keeps the text around them", () => {
    expect(markdownToText("Hi <b>there</b> <img src=x onerror=alert(1)>friend.\n\n<script>alert(1)</script>\n\nBye.")).toBe(
      "Hi there friend.\n\nBye.");
    expect(markdownToText("<div>\n<p>inside</p>\n</div>")).toBe("inside");
  });

  it("decodes entities but drops terminal control characters a member could hide in a body", () => {
    expect(markdownToText("Fish &amp; chips &lt;3 &#169;")).toBe("Fish & chips <3 ©");
    expect(markdownToText("safe\u001b[2J\u0007 text &#27;[31m")).toBe("safe[2J text [31m");
  });

  it("quotes blockquotes, draws rules and lines up tables", () => {
    expect(markdownToText("> quoted **text**\n>\n> more")).toBe("> quoted text\n>\n> more");
    expect(markdownToText("above\n\n---\n\nbelow")).toBe("above\n\n---\n\nbelow");
    expect(markdownToText("| item | cost |\n|:--|--:|\n| rent | 1200 |\n| tea | 5 |")).toBe(
      "item  cost\n----  ----\nrent  1200\ntea      5");
  });

  it("returns plain text unchanged and nothing for nothing", () => {
    expect(markdownToText("Who grows what")).toBe("Who grows what");
    expect(markdownToText("line one\nline two")).toBe("line one\nline two");
    expect(markdownToText("")).toBe("");
  });
});
