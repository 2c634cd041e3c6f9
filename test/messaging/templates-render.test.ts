// Rendering without a server: escaping only in HTML, strict variables, language fallback.
import { describe, expect, it } from "vitest";
import { checkSyntax, renderVariant } from "../../mod/messaging/templates/engine.js";
import { chooseVariant } from "../../mod/messaging/templates/render.js";
import { reasonOf } from "../../sys/core/errors.js";

const variant = { language: "en", subject: "Hi {{name}} & co", text: "Dear {{name}},\n{{body}}", html: "<p>Dear {{name}},</p><p>{{body}}</p>" };
const variables = { name: "Ann <script>alert(1)</script>", body: "Tom & Jerry's \"show\"" };

describe("template rendering", () => {
  it("escapes variables in HTML only", () => {
    const out = renderVariant(variant, variables);
    expect(out.subject).toBe("Hi Ann <script>alert(1)</script> & co");
    expect(out.text).toBe("Dear Ann <script>alert(1)</script>,\nTom & Jerry's \"show\"");
    expect(out.html).toBe("<p>Dear Ann &lt;script&gt;alert(1)&lt;/script&gt;,</p><p>Tom &amp; Jerry&#x27;s &quot;show&quot;</p>");
  });

  it("renders Markdown to HTML with variables escaped", () => {
    const out = renderVariant({ language: "en", subject: "", text: "{{name}}", markdown: "# Hello {{name}}\n\n**bold**" }, variables);
    expect(out.subject).toBeUndefined();
    expect(out.html).toContain("<h1>Hello Ann &lt;script&gt;alert(1)&lt;/script&gt;</h1>");
    expect(out.html).toContain("<strong>bold</strong>");
    expect(out.html).not.toContain("<script>");
  });

  it("names a missing variable, including one used only in the HTML part", () => {
    const missing = catchError(() => renderVariant(variant, { name: "Ann" }));
    expect(reasonOf(missing)).toBe("MISSING_VARIABLE");
    expect((missing as Error).message).toContain('"body"');
    expect(reasonOf(catchError(() => renderVariant({ language: "en", subject: "", text: "x", html: "{{extra}}" }, {})))).toBe("MISSING_VARIABLE");
    // Block helpers still work; an unknown helper is a syntax error at save time.
    expect(renderVariant({ language: "en", subject: "", text: "{{#if name}}yes{{/if}}" }, { name: "x" }).text).toBe("yes");
    expect(reasonOf(catchError(() => checkSyntax({ language: "en", subject: "", text: "{{bogus name}}" })))).toBe("TEMPLATE_SYNTAX");
    expect(reasonOf(catchError(() => checkSyntax({ language: "en", subject: "{{", text: "x" })))).toBe("TEMPLATE_SYNTAX");
    expect(() => checkSyntax(variant)).not.toThrow();
  });

  it("falls back exact → base language → the template's default", () => {
    const template = { defaultLanguage: "en", variants: ["en", "pt", "pt-BR", "fr-CA"].map((language) => ({ language, subject: "", text: language })) };
    expect(chooseVariant(template, "pt-BR").language).toBe("pt-BR");
    expect(chooseVariant(template, "pt-br").language).toBe("pt-BR");
    expect(chooseVariant(template, "pt-PT").language).toBe("pt");
    expect(chooseVariant(template, "fr").language).toBe("en");
    expect(chooseVariant(template, "de-AT").language).toBe("en");
    expect(chooseVariant(template, "").language).toBe("en");
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
