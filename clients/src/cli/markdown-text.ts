// Poll bodies and community descriptions are Markdown; a terminal shows them as plain text that still reads as
// the author meant: headings underlined, lists with "- ", links as "text (url)", code kept, emphasis markers and
// HTML tags gone. Text comes from other members, so terminal control characters are dropped too.
import { Lexer, type Token, type Tokens } from "marked";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

const decode = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
    if (ENTITIES[name.toLowerCase()] !== undefined) return ENTITIES[name.toLowerCase()]!;
    const code = name.startsWith("#x") || name.startsWith("#X") ? parseInt(name.slice(2), 16) : name.startsWith("#") ? Number(name.slice(1)) : NaN;
    return Number.isInteger(code) && code > 31 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });

/** Raw HTML: scripts and styles go entirely, other tags are stripped and their text kept. */
const stripHtml = (s: string): string =>
  s.replace(/<(script|style)\b[\s\S]*?(<\/\1\s*>|$)/gi, "").replace(/<!--[\s\S]*?(-->|$)/g, "").replace(/<\/?[a-z][^>]*>/gi, "");

// ESC, BEL and the other C0/C1 controls would let a description move the cursor or retitle the terminal.
// eslint-disable-next-line no-control-regex
const stripControls = (s: string): string => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");

function inline(tokens: Token[] | undefined): string {
  return (tokens ?? []).map(inlineToken).join("");
}

function inlineToken(t: Token): string {
  switch (t.type) {
    case "strong": case "em": case "del":
      return inline((t as Tokens.Strong).tokens);
    case "codespan":
      return `\`${decode((t as Tokens.Codespan).text)}\``;
    case "br":
      return "\n";
    case "link": {
      const { href, tokens } = t as Tokens.Link;
      const text = inline(tokens);
      return text === href || `mailto:${text}` === href || !href ? text : `${text} (${href})`;
    }
    case "image": {
      const { href, text } = t as Tokens.Image;
      return text ? `${decode(text)} (${href})` : href;
    }
    case "html":
      return decode(stripHtml((t as Tokens.Tag).text));
    case "text":
      return "tokens" in t && t.tokens?.length ? inline(t.tokens) : decode((t as Tokens.Text).text);
    default:
      return "text" in t && typeof t.text === "string" ? decode(t.text) : "";
  }
}

const indent = (text: string, first: string, rest = " ".repeat(first.length)): string =>
  text.split("\n").map((line, i) => (line ? (i === 0 ? first : rest) + line : line)).join("\n");

function list(l: Tokens.List): string {
  const start = typeof l.start === "number" ? l.start : 1;
  const width = l.ordered ? `${start + l.items.length - 1}. `.length : 2;
  return l.items.map((item, i) => {
    const marker = l.ordered ? `${start + i}. `.padEnd(width) : "- ";
    const task = item.task ? (item.checked ? "[x] " : "[ ] ") : "";
    // Tight items hold bare text tokens; loose ones hold paragraphs: both become lines without blank gaps.
    const body = blocks(item.tokens.filter((x) => x.type !== "checkbox"), "\n");
    return indent(task + body, marker);
  }).join("\n");
}

function table(t: Tokens.Table): string {
  const rows = [t.header.map((c) => inline(c.tokens)), ...t.rows.map((r) => r.map((c) => inline(c.tokens)))];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (t.align[i] === "right" ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

function block(t: Token): string | undefined {
  switch (t.type) {
    case "space": case "def":
      return undefined;
    case "heading": {
      const { depth, tokens } = t as Tokens.Heading;
      const text = inline(tokens);
      return depth <= 2 ? `${text}\n${(depth === 1 ? "=" : "-").repeat(Math.max(3, text.length))}` : text.toUpperCase();
    }
    case "paragraph":
      return inline((t as Tokens.Paragraph).tokens);
    case "text":
      return inlineToken(t);
    case "code":
      return indent((t as Tokens.Code).text, "    ");
    case "blockquote":
      return indent(blocks((t as Tokens.Blockquote).tokens), "> ", "> ").split("\n").map((l) => l || ">").join("\n");
    case "list":
      return list(t as Tokens.List);
    case "table":
      return table(t as Tokens.Table);
    case "hr":
      return "---";
    case "html": {
      const text = decode(stripHtml((t as Tokens.HTML).text)).trim();
      return text || undefined;
    }
    default:
      return "raw" in t ? t.raw.trim() || undefined : undefined;
  }
}

function blocks(tokens: Token[], gap = "\n\n"): string {
  return tokens.map(block).filter((b): b is string => b !== undefined && b !== "").join(gap);
}

/** Markdown as plain terminal text (no trailing newline); "" for empty input. */
export function markdownToText(markdown: string): string {
  const tokens = new Lexer({ gfm: true }).lex(markdown ?? "");
  return stripControls(blocks(tokens)).replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").replace(/^\n+/, "").trimEnd();
}
