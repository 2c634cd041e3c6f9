// Poll bodies and descriptions are Markdown written by members: render them with marked, then let DOMPurify keep
// only a small allow-list. Raw HTML in the source is shown as text, never parsed, so the sanitiser is a second
// line of defence rather than the only one.
import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    // Block and inline raw HTML both arrive as "html" tokens: print their source instead of passing it through.
    html: (token: Tokens.HTML | Tokens.Tag) =>
      "block" in token && token.block ? `<p>${escapeHtml(token.text.trim())}</p>\n` : escapeHtml(token.text),
    // The page already has h1/h2; an author's "# Title" becomes h3 so the outline stays the page's own.
    heading({ tokens, depth }: Tokens.Heading) {
      const level = Math.min(6, depth + 2);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
  },
});

const ALLOWED_TAGS = [
  "p", "em", "strong", "del", "a", "ul", "ol", "li", "code", "pre", "blockquote",
  "h3", "h4", "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
];

// An own instance, so the link hook below never touches other users of DOMPurify on the page.
const purify = DOMPurify(window);
purify.addHook("afterSanitizeAttributes", (node) => {
  if (node.nodeName !== "A") return;
  if (!node.getAttribute("href")) return;
  node.setAttribute("target", "_blank");
  node.setAttribute("rel", "noopener noreferrer nofollow");
});

/** Renders member-written Markdown as a sanitised `div.markdown`; safe to append anywhere. */
export function renderMarkdown(text: string): HTMLDivElement {
  const html = marked.parse(text ?? "", { async: false });
  const fragment = purify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ["href", "title", "align"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    ALLOW_DATA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
  const div = document.createElement("div");
  div.className = "markdown";
  div.append(fragment);
  return div;
}
