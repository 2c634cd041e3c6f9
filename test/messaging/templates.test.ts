// TemplateService on a real server on PostgreSQL: templates with per-language variants (canonical tags, one
// per language, compiled at save time), rendering with escaping only in HTML, the language fallback, missing
// variables named, updates and deletes, and one org's templates invisible to a stranger and to another org.
import { Code, createClient, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { TemplateService } from "../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import { createPolityClient } from "../../clients/src/node.js";
import { reasonOf, rejection } from "../support/failures.js";
import { signUpVerified } from "../support/people.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startInProcessServer, type TestServer } from "../support/server.js";

let database: TestDatabase;
let server: TestServer;
let templates: Client<typeof TemplateService>;
let strangerTemplates: Client<typeof TemplateService>;
let orgId: string;
let otherOrgId: string;

beforeAll(async () => {
  database = await createTestDatabase("templates");
  const admin = { email: "templates-admin@example.org", password: "a long admin password" };
  server = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: admin.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: admin.password });
  const client: PolityClient = createPolityClient({ baseUrl: server.url });
  await client.auth.login(admin);
  orgId = (await client.orgs.createOrg({ slug: "tpl-org", displayName: "Templates org" })).org!.id;
  otherOrgId = (await client.orgs.createOrg({ slug: "tpl-other", displayName: "Other org" })).org!.id;
  templates = createClient(TemplateService, client.transport);
  const person = await signUpVerified(server.url, server.logs, "templates-stranger@example.org", "a long stranger password");
  const stranger = createPolityClient({ baseUrl: server.url });
  await stranger.auth.login({ email: person.email, password: "a long stranger password" });
  strangerTemplates = createClient(TemplateService, stranger.transport);
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

const welcome = {
  name: "welcome",
  category: "news",
  defaultLanguage: "en",
  variants: [
    { language: "en", subject: "Welcome, {{name}}", text: "Hello {{name}}, meet {{team}}.", html: "<p>Hello <b>{{name}}</b>, meet {{team}}.</p>" },
    { language: "pt", subject: "Bem-vindo, {{name}}", text: "Olá {{name}}, conheça {{team}}.", markdown: "# Olá {{name}}\n\nConheça *{{team}}*." },
    { language: "pt-br", subject: "Bem-vindo (BR), {{name}}", text: "Oi {{name}}, conheça {{team}}." },
  ],
};

describe("templates", () => {
  let id: string;

  it("are created with canonical language tags and read back", async () => {
    const { template } = await templates.createTemplate({ orgId, ...welcome });
    id = template!.id;
    expect(template!.variants.map((v) => v.language)).toEqual(["en", "pt", "pt-BR"]);
    expect(template!.category).toBe("news");
    const { template: read } = await templates.getTemplate({ orgId, templateId: id });
    expect(read).toEqual(template);
    const { templates: listed } = await templates.listTemplates({ orgId });
    expect(listed.map((t) => t.name)).toEqual(["welcome"]);
    expect((await templates.listTemplates({ orgId, category: "other" })).templates).toEqual([]);
  });

  it("render with HTML escaped only in the HTML part", async () => {
    const variables = { name: "<Ann & Bo>", team: "\"the crew\"" };
    const out = await templates.renderTemplate({ orgId, templateId: id, language: "en", variables });
    expect(out.subject).toBe("Welcome, <Ann & Bo>");
    expect(out.text).toBe("Hello <Ann & Bo>, meet \"the crew\".");
    expect(out.html).toBe("<p>Hello <b>&lt;Ann &amp; Bo&gt;</b>, meet &quot;the crew&quot;.</p>");
    const md = await templates.renderTemplate({ orgId, templateId: id, language: "pt-PT", variables });
    expect(md.language).toBe("pt");
    expect(md.html).toContain("<h1>Olá &lt;Ann &amp; Bo&gt;</h1>");
    expect(md.html).toContain("<em>&quot;the crew&quot;</em>");
  });

  it("fall back exact → base language → default", async () => {
    const variables = { name: "Ann", team: "us" };
    const lang = async (language: string) => (await templates.renderTemplate({ orgId, templateId: id, language, variables })).language;
    expect(await lang("pt-BR")).toBe("pt-BR");
    expect(await lang("PT-br")).toBe("pt-BR");
    expect(await lang("pt-AO")).toBe("pt");
    expect(await lang("de-CH")).toBe("en");
    expect(await lang("")).toBe("en");
  });

  it("name a missing variable", async () => {
    const error = await rejection(templates.renderTemplate({ orgId, templateId: id, language: "en", variables: { name: "Ann" } }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(reasonOf(error)).toBe("MISSING_VARIABLE");
    expect(error.message).toContain('"team"');
  });

  it("refuse broken syntax, a duplicate language, a default without a variant, html and markdown together", async () => {
    const bad = async (patch: object) => reasonOf(await rejection(templates.createTemplate({ orgId, ...welcome, name: `bad-${Math.random()}`, ...patch })));
    expect(await bad({ variants: [{ language: "en", subject: "", text: "{{#if}}" }] })).toBe("TEMPLATE_SYNTAX");
    expect(await bad({ variants: [{ language: "en", subject: "", text: "{{shout name}}" }] })).toBe("TEMPLATE_SYNTAX");
    expect(await bad({ variants: [{ language: "pt-BR", subject: "", text: "a" }, { language: "pt-br", subject: "", text: "b" }], defaultLanguage: "pt-BR" })).toBe("DUPLICATE_LANGUAGE");
    expect(await bad({ defaultLanguage: "fr" })).toBeDefined();
    expect(await bad({ variants: [{ language: "en", subject: "", text: "a", html: "<p>a</p>", markdown: "a" }] })).toBeDefined();
    expect((await rejection(templates.createTemplate({ orgId, ...welcome }))).code).toBe(Code.AlreadyExists);
  });

  it("update replaces the variants given and keeps the default language among them", async () => {
    const { template } = await templates.updateTemplate({ orgId, templateId: id, category: "", variants: [{ language: "fr", subject: "Salut {{name}}", text: "Salut {{name}}" }], defaultLanguage: "fr" });
    expect(template!.variants.map((v) => v.language)).toEqual(["fr"]);
    expect(template!.category).toBe("");
    expect((await templates.renderTemplate({ orgId, templateId: id, language: "pt-BR", variables: { name: "Ann" } })).text).toBe("Salut Ann");
    const error = await rejection(templates.updateTemplate({ orgId, templateId: id, variants: [{ language: "de", subject: "", text: "Hallo" }] }));
    expect(reasonOf(error)).toBe("DEFAULT_LANGUAGE_MISSING");
  });

  it("belong to their org: a stranger is denied, another org does not find them", async () => {
    expect((await rejection(strangerTemplates.getTemplate({ orgId, templateId: id }))).code).toBe(Code.PermissionDenied);
    expect((await rejection(strangerTemplates.createTemplate({ orgId, ...welcome, name: "x" }))).code).toBe(Code.PermissionDenied);
    expect((await rejection(templates.getTemplate({ orgId: otherOrgId, templateId: id }))).code).toBe(Code.NotFound);
    expect((await rejection(templates.renderTemplate({ orgId: otherOrgId, templateId: id, variables: {} }))).code).toBe(Code.NotFound);
  });

  it("are deleted", async () => {
    await templates.deleteTemplate({ orgId, templateId: id });
    expect((await rejection(templates.getTemplate({ orgId, templateId: id }))).code).toBe(Code.NotFound);
    expect((await rejection(templates.deleteTemplate({ orgId, templateId: id }))).code).toBe(Code.NotFound);
  });
});
