// Rendering with Handlebars in strict mode (an unknown variable is an error, never an empty string) and with
// only its built-in helpers (if, unless, each, with, lookup). Variables are HTML-escaped in the HTML part (and
// in Markdown, before it becomes HTML), never in the subject or the plain text.
import { apiError, invalidArgument } from "../../../sys/core/errors.js";
import { Code } from "@connectrpc/connect";
import type { TemplateVariant } from "./entities.js";
import { lazyModule } from "../../../sys/core/lazy-module.js";

export interface Rendered {
  subject?: string;
  text: string;
  html?: string;
  language: string;
}

type Compiled = (variables: Record<string, string>) => string;

const handlebars = lazyModule<typeof import("handlebars")>("handlebars");
const markdown = lazyModule<typeof import("marked")>("marked");
let engine: ReturnType<typeof import("handlebars").create> | undefined;
const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 1000;

function compiled(source: string, escape: boolean): Compiled {
  const key = `${escape ? "h" : "t"}\u0000${source}`;
  let fn = cache.get(key);
  if (!fn) {
    fn = (engine ??= handlebars().create()).compile(source, { strict: true, knownHelpersOnly: true, noEscape: !escape });
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, fn);
  }
  return fn;
}

/** Throws InvalidArgument TEMPLATE_SYNTAX naming the part when a source does not compile. */
export function checkSyntax(variant: TemplateVariant): void {
  for (const [part, source] of Object.entries(partsOf(variant))) {
    try {
      compiled(source, part !== "text" && part !== "subject")({});
    } catch (error) {
      if (missingVariable(error) !== undefined) continue;
      throw invalidArgument(`variants.${variant.language}.${part}`, (error as Error).message.split("\n")[0]!, "TEMPLATE_SYNTAX");
    }
  }
}

export function renderVariant(variant: TemplateVariant, variables: Record<string, string>): Rendered {
  const run = (source: string, escape: boolean) => {
    try {
      return compiled(source, escape)(variables);
    } catch (error) {
      const name = missingVariable(error);
      if (name !== undefined) {
        throw apiError(Code.InvalidArgument, "MISSING_VARIABLE", `variables: missing variable "${name}"`, { field: "variables", variable: name });
      }
      throw invalidArgument("template", (error as Error).message.split("\n")[0]!, "TEMPLATE_SYNTAX");
    }
  };
  const subject = variant.subject ? run(variant.subject, false) : undefined;
  const text = run(variant.text, false);
  let html: string | undefined;
  if (variant.html) html = run(variant.html, true);
  else if (variant.markdown) html = markdown().marked.parse(run(variant.markdown, true), { async: false, gfm: true }) as string;
  return { subject, text, html, language: variant.language };
}

function partsOf(variant: TemplateVariant): Record<string, string> {
  const parts: Record<string, string> = { subject: variant.subject, text: variant.text };
  if (variant.html) parts.html = variant.html;
  if (variant.markdown) parts.markdown = variant.markdown;
  return parts;
}

// Handlebars' strict mode says `"name" not defined in [object Object] - 1:6`.
function missingVariable(error: unknown): string | undefined {
  const match = /^"([^"]+)" not defined in/.exec((error as Error)?.message ?? "");
  return match?.[1];
}
