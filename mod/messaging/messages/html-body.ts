// Email bodies from callers: HTML is sanitised to what mail clients render safely (no scripts, no styles that
// load, no event handlers); Markdown is rendered with marked (raw HTML in it is sanitised the same way).
import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

const marked = new Marked({ gfm: true, async: false });

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, "img", "h1", "h2", "span", "center", "font"],
  allowedAttributes: { ...sanitizeHtml.defaults.allowedAttributes, "*": ["align", "width", "height", "bgcolor", "border", "cellpadding", "cellspacing", "valign"], img: ["src", "alt", "title", "width", "height"] },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowedSchemesByTag: { img: ["https", "http", "cid"] },
};

export function sanitiseHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}

export function markdownToHtml(markdown: string): string {
  return sanitiseHtml(marked.parse(markdown) as string);
}
