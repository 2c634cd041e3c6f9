// Reads a C4GT ticket's issue form. GitHub renders form fields as "### Field" headings followed by the answer
// ("_No response_" when left empty); hand-written tickets use "**Field:** answer" or "**Field**" on its own line.
// marked's lexer finds the structure, so a heading inside a code block or a "**" inside a sentence is not taken
// for a field.
import { type Token, type Tokens, marked } from "marked";

export type Complexity = "low" | "medium" | "high";

export interface IssueForm {
  /** Canonical name → answer (plain text, trimmed; "" when left empty). */
  sections: Record<string, string>;
  complexity?: Complexity;
  /** GitHub logins named in Mentor(s) (as @login or a github.com profile link). */
  mentors: string[];
  /** Missing or empty mandatory sections, an unreadable complexity. */
  problems: string[];
}

// Canonical name → the spellings found in the programme's templates and in hand-written tickets, normalised
// (see keyOf).
const SECTIONS: Record<string, string[]> = {
  "Organisation Name": ["organisation name", "organization name", "organisation", "organization", "org name"],
  Product: ["product", "product name"],
  Project: ["project", "project name"],
  Domain: ["domain"],
  "Tech Skills Needed": ["tech skills needed", "tech skills", "skills needed", "tech skill needed", "skills"],
  Complexity: ["complexity"],
  Category: ["category"],
  "Sub Category": ["sub category", "subcategory"],
  "Mentor(s)": ["mentors", "mentor"],
  "Angel Mentor": ["angel mentor", "angel mentors"],
  Contributor: ["contributor", "contributors"],
};

/** The sections in the form's order (how they are shown; stored JSON does not keep key order). */
export const SECTION_NAMES = Object.keys(SECTIONS);

export const MANDATORY_SECTIONS = ["Organisation Name", "Product", "Domain", "Tech Skills Needed", "Complexity", "Category", "Mentor(s)"];

const canonicalByKey = new Map(Object.entries(SECTIONS).flatMap(([name, keys]) => keys.map((key) => [key, name] as const)));

/** "Mentor(s):" → "mentors", "Sub-Category" → "sub category". */
function keyOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/\(s\)/g, "s")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

export function sectionNameOf(heading: string): string | undefined {
  return canonicalByKey.get(keyOf(heading));
}

const EMPTY_ANSWERS = new Set(["_no response_", "no response", "n/a", "na", "-", "none"]);

export function parseIssueForm(body: string | null | undefined): IssueForm {
  const sections = collectSections(marked.lexer(body ?? ""));
  const problems: string[] = [];
  for (const name of MANDATORY_SECTIONS) {
    if (!(name in sections)) problems.push(`missing section: ${name}`);
    else if (!sections[name]) problems.push(`empty section: ${name}`);
  }
  const complexity = complexityOf(sections.Complexity);
  if (sections.Complexity && !complexity) problems.push(`complexity "${sections.Complexity}" is not Low, Medium or High`);
  return { sections, complexity, mentors: loginsIn(sections["Mentor(s)"] ?? ""), problems };
}

function collectSections(tokens: Token[]): Record<string, string> {
  const sections: Record<string, string> = {};
  let current: string | undefined;
  let parts: string[] = [];
  const close = () => {
    if (current && !(current in sections)) sections[current] = answerOf(parts.join("\n"));
    parts = [];
  };
  for (const token of tokens) {
    if (token.type === "heading") {
      close();
      // An unknown heading ends the section before it: its text is not that section's answer.
      current = sectionNameOf((token as Tokens.Heading).text);
      continue;
    }
    if (token.type !== "paragraph") {
      if (current) parts.push(textOf(token));
      continue;
    }
    for (const segment of segmentsOf(token as Tokens.Paragraph)) {
      if (segment.name) {
        close();
        current = segment.name;
      }
      if (current && segment.text) parts.push(segment.text);
    }
  }
  close();
  return sections;
}

/**
 * A paragraph cut where a line opens with "**Section**" (several "**Field:** answer" lines with no blank line
 * between them are one paragraph); the text before the first such line continues the current section.
 */
function segmentsOf(paragraph: Tokens.Paragraph): Array<{ name?: string; text: string }> {
  const segments: Array<{ name?: string; text: string }> = [{ text: "" }];
  let lineStart = true;
  for (const token of paragraph.tokens ?? []) {
    const name = lineStart && token.type === "strong" ? sectionNameOf((token as Tokens.Strong).text) : undefined;
    if (name) segments.push({ name, text: "" });
    else segments[segments.length - 1]!.text += textOf(token);
    const raw = token.raw;
    lineStart = token.type === "br" || (raw.length > 0 ? raw.endsWith("\n") : lineStart);
  }
  return segments.map((s) => (s.name ? { ...s, text: s.text.replace(/^\s*:\s*/, "") } : s));
}

function textOf(token: Token): string {
  switch (token.type) {
    case "space":
    case "hr":
      return "";
    case "list":
      return (token as Tokens.List).items.map((item) => item.text).join("\n");
    case "code":
      return (token as Tokens.Code).text;
    default:
      return "text" in token && typeof token.text === "string" ? token.text : token.raw;
  }
}

function answerOf(text: string): string {
  const trimmed = text.replace(/\n{2,}/g, "\n").trim();
  return EMPTY_ANSWERS.has(trimmed.toLowerCase()) ? "" : trimmed;
}

function complexityOf(answer: string | undefined): Complexity | undefined {
  const match = /\b(low|medium|high)\b/i.exec(answer ?? "");
  return match ? (match[1]!.toLowerCase() as Complexity) : undefined;
}

/** "@alice, https://github.com/bob" → ["alice", "bob"]; a lone login-like answer counts too. */
export function loginsIn(answer: string): string[] {
  const found = [
    ...[...answer.matchAll(/(?<![\w/])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/g)].map((m) => m[1]!),
    ...[...answer.matchAll(/github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(?![\w/-])/g)].map((m) => m[1]!),
  ];
  if (found.length === 0 && /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(answer.trim())) found.push(answer.trim());
  return [...new Set(found.map((login) => login.toLowerCase()))];
}
