// Email bodies from callers: HTML is sanitised to what mail clients render safely (no scripts, no styles that
// load, no event handlers); Markdown is rendered with marked (raw HTML in it is sanitised the same way).
import type { Marked } from "marked";
import type sanitizeHtml from "sanitize-html";
import { lazyModule } from "../../../sys/core/lazy-module.js";

const markedModule = lazyModule<typeof import("marked")>("marked");
const sanitizeModule = lazyModule<typeof sanitizeHtml>("sanitize-html");
let marked: Marked | undefined;
let options: sanitizeHtml.IOptions | undefined;

function sanitizeOptions(defaults: sanitizeHtml.IDefaults): sanitizeHtml.IOptions {
  return {
    allowedTags: [...defaults.allowedTags, "img", "h1", "h2", "span", "center", "font"],
    allowedAttributes: { ...defaults.allowedAttributes, "*": ["align", "width", "height", "bgcolor", "border", "cellpadding", "cellspacing", "valign"], img: ["src", "alt", "title", "width", "height"] },
    allowedSchemes: ["http", "https", "mailto", "tel"],
    allowedSchemesByTag: { img: ["https", "http", "cid"] },
  };
}

export function sanitiseHtml(html: string): string {
  const sanitize = sanitizeModule();
  return sanitize(html, (options ??= sanitizeOptions(sanitize.defaults)));
}

export function markdownToHtml(markdown: string): string {
  marked ??= new (markedModule().Marked)({ gfm: true, async: false });
  return sanitiseHtml(marked.parse(markdown) as string);
}
