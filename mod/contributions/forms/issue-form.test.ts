// The issue-form parser on the shapes tickets come in: GitHub's rendered form ("### Field"), hand-written bold
// labels, case and colon variants, "Mentor" for "Mentor(s)", and forms that lack what the programme needs.
import { describe, expect, it } from "vitest";
import { MANDATORY_SECTIONS, loginsIn, parseIssueForm } from "./issue-form.js";

const renderedForm = `### Ticket Contents

A dashboard for the city's open budget.

### Goals

- [ ] Chart the spending

### Organisation Name

Samagra

### Product Name

Open Budget

### Domain

Governance

### Tech Skills Needed

React, TypeScript

### Mentor(s)

@mentor-one @Mentor-Two

### Complexity

High

### Category

Frontend

### Sub Category

Data visualisation

### Angel Mentor

_No response_
`;

describe("issue form", () => {
  it("reads GitHub's rendered issue form, with empty answers as empty and unknown headings ignored", () => {
    const form = parseIssueForm(renderedForm);
    expect(form.sections).toEqual({
      "Organisation Name": "Samagra",
      Product: "Open Budget",
      Domain: "Governance",
      "Tech Skills Needed": "React, TypeScript",
      "Mentor(s)": "@mentor-one @Mentor-Two",
      Complexity: "High",
      Category: "Frontend",
      "Sub Category": "Data visualisation",
      "Angel Mentor": "",
    });
    expect(form.complexity).toBe("high");
    expect(form.mentors).toEqual(["mentor-one", "mentor-two"]);
    expect(form.problems).toEqual([]);
  });

  it("reads bold labels on consecutive lines, with case, colon and singular/plural variants", () => {
    const body = [
      "Some context first.",
      "",
      "**organization name:** Code for GovTech",
      "**PRODUCT**: Glific",
      "**Domain** Health",
      "**Tech skills** Python",
      "**Mentor:** https://github.com/Bob-Mentor",
      "**Complexity :** medium",
      "**Category**",
      "Backend",
      "",
      "#### Sub-Category:",
      "APIs",
      "",
      "**Contributors**: @carol",
    ].join("\n");
    const form = parseIssueForm(body);
    expect(form.sections).toMatchObject({
      "Organisation Name": "Code for GovTech",
      Product: "Glific",
      Domain: "Health",
      "Tech Skills Needed": "Python",
      Complexity: "medium",
      Category: "Backend",
      "Sub Category": "APIs",
      Contributor: "@carol",
    });
    expect(form.complexity).toBe("medium");
    expect(form.mentors).toEqual(["bob-mentor"]);
    expect(form.problems).toEqual([]);
  });

  it("reports missing and empty mandatory sections and an unreadable complexity", () => {
    const form = parseIssueForm("### Organisation Name\n\nSamagra\n\n### Complexity\n\nHard\n\n### Domain\n\n_No response_\n");
    expect(form.complexity).toBeUndefined();
    expect(form.problems).toEqual([
      "missing section: Product",
      "empty section: Domain",
      "missing section: Tech Skills Needed",
      "missing section: Category",
      "missing section: Mentor(s)",
      'complexity "Hard" is not Low, Medium or High',
    ]);
  });

  it("does not take a heading inside a code block, or bold text inside a sentence, for a section", () => {
    const form = parseIssueForm("### Complexity\n\nLow\n\n```\n### Complexity\nHigh\n```\n\nWe say **Domain** matters here.\n");
    expect(form.complexity).toBe("low");
    expect(form.sections.Domain).toBeUndefined();
  });

  it("an empty body lacks every mandatory section", () => {
    expect(parseIssueForm(null).problems).toEqual(MANDATORY_SECTIONS.map((name) => `missing section: ${name}`));
  });

  it("finds logins as mentions and profile links, not inside e-mail addresses", () => {
    expect(loginsIn("@alice, bob@example.org and https://github.com/Carol")).toEqual(["alice", "carol"]);
    expect(loginsIn("dave-42")).toEqual(["dave-42"]);
  });
});
