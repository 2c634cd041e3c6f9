// polity templates add | list | show | update | remove | preview: an org's message templates (Handlebars, one
// variant per language). A single variant comes from flags (--language, --subject, --text or --text-file,
// --html-file or --markdown-file); several from --variants-file, a JSON or YAML list of
// { language, subject, text, html?, markdown? }.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { createClient, type Client } from "@connectrpc/connect";
import { parse as parseYaml } from "yaml";
import {
  CreateTemplateResponseSchema, GetTemplateResponseSchema, ListTemplatesResponseSchema, RenderTemplateResponseSchema,
  type Template, TemplateService, UpdateTemplateResponseSchema,
} from "../../gen/polity/mod/messaging/v1/templates_pb.js";
import { action, type Session } from "../session.js";
import { UsageError } from "../exit.js";
import { printNextPage, printRecord, printTable, shortId, time } from "../output.js";
import { listAll, pick, resolveOrg } from "../resolve.js";
import type { Io } from "../io.js";

type Templates = Client<typeof TemplateService>;
type OrgFlag = { org: string };
interface VariantFlags {
  language?: string;
  subject?: string;
  text?: string;
  textFile?: string;
  htmlFile?: string;
  markdownFile?: string;
  variantsFile?: string;
}
interface VariantInput {
  language: string;
  subject: string;
  text: string;
  html: string;
  markdown: string;
}

const clients = new WeakMap<Session, Templates>();
export function templates(s: Session): Templates {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(TemplateService, s.client.transport)));
  return client;
}

async function readText(s: Session, file: string, flag: string): Promise<string> {
  try {
    return file === "-" ? await s.io.readStdin() : readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`Cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
}

/** The variants the flags describe; [] when none is given (update keeps the stored ones). */
async function variantsFrom(s: Session, o: VariantFlags): Promise<VariantInput[]> {
  const single = o.language !== undefined || o.subject !== undefined || o.text !== undefined || o.textFile !== undefined || o.htmlFile !== undefined || o.markdownFile !== undefined;
  if (o.variantsFile !== undefined) {
    if (single) throw new UsageError("Pass --variants-file, or the flags of one variant, not both.");
    let list: unknown;
    try {
      list = parseYaml(await readText(s, o.variantsFile, "--variants-file"));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--variants-file ${o.variantsFile} is not JSON or YAML: ${(err as Error).message}`);
    }
    if (!Array.isArray(list)) throw new UsageError("--variants-file must hold a list of { language, subject, text, html?, markdown? }.");
    return list.map((v: Record<string, unknown>, i) => {
      if (typeof v?.language !== "string" || typeof v.text !== "string") throw new UsageError(`Variant ${i + 1} of --variants-file needs a language and a text.`);
      return { language: v.language, subject: String(v.subject ?? ""), text: v.text, html: String(v.html ?? ""), markdown: String(v.markdown ?? "") };
    });
  }
  if (!single) return [];
  if (!o.language) throw new UsageError("Pass --language for the variant (BCP 47, e.g. en or pt-BR).");
  if ((o.text === undefined) === (o.textFile === undefined)) throw new UsageError("Pass the plain text with --text or --text-file (one of them).");
  if (o.htmlFile && o.markdownFile) throw new UsageError("Pass --html-file or --markdown-file, not both.");
  return [{
    language: o.language,
    subject: o.subject ?? "",
    text: o.text ?? (await readText(s, o.textFile!, "--text-file")),
    html: o.htmlFile ? await readText(s, o.htmlFile, "--html-file") : "",
    markdown: o.markdownFile ? await readText(s, o.markdownFile, "--markdown-file") : "",
  }];
}

function variantOptions(c: Command): Command {
  return c
    .option("--language <tag>", "the variant's language (BCP 47: en, pt-BR)")
    .option("--subject <text>", "the subject (email)")
    .option("--text <text>", "the plain text")
    .option("--text-file <file>", "the plain text from a file (- reads stdin)")
    .option("--html-file <file>", "the HTML part from a file")
    .option("--markdown-file <file>", "the email body as Markdown (turned into HTML)")
    .option("--variants-file <file>", "every variant, from a JSON or YAML list");
}

/** A template of the org by id, id prefix or name. */
export async function resolveTemplate(s: Session, orgId: string, ref: string): Promise<string> {
  const list = await listAll(async (pageToken) => {
    const res = await templates(s).listTemplates({ orgId, pageSize: 200, pageToken });
    return { items: res.templates, next: res.nextPageToken };
  });
  return pick("template", ref, list.map((t) => ({ id: t.id, names: [t.name], label: t.name })), "polity templates list --org ORG", "a name or an id");
}

function showTemplate(s: Session, t: Template | undefined): void {
  if (!t) return;
  printRecord(s.io, { id: t.id, name: t.name, category: t.category || "(none)", "default language": t.defaultLanguage, updated: time(t.updateTime) });
  for (const v of t.variants) {
    s.io.stdout(`\n[${v.language}]${v.language === t.defaultLanguage ? " (default)" : ""}\n`);
    printRecord(s.io, { subject: v.subject, text: v.text, ...(v.html ? { html: v.html } : {}), ...(v.markdown ? { markdown: v.markdown } : {}) });
  }
}

function variablesOf(pairs: string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) throw new UsageError(`--var takes name=value, not "${pair}".`);
    variables[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return variables;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command, io: Io): void {
  const c = program.command("templates").description("message templates of an org (Handlebars, one variant per language)");

  variantOptions(c.command("add <name>").description("create a template"))
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--category <category>", "the message category its sends use (picks the service chain)", "")
    .option("--default-language <tag>", "the language used when a recipient's has no variant (default: the first variant's)")
    .action(action(io, async (s, name: string, o: OrgFlag & VariantFlags & { category: string; defaultLanguage?: string }) => {
      const variants = await variantsFrom(s, o);
      if (variants.length === 0) throw new UsageError("Give at least one variant: --language, --subject, --text … or --variants-file.");
      const res = await templates(s).createTemplate({ orgId: await resolveOrg(s, o.org), name, category: o.category, defaultLanguage: o.defaultLanguage ?? variants[0]!.language, variants });
      s.emit(CreateTemplateResponseSchema, res, () => showTemplate(s, res.template));
    }));

  c.command("list").description("the org's templates")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--category <category>", "only this category")
    .option("--page-size <n>", "templates per page", "50")
    .option("--page-token <token>", "the next page, as printed by the previous one")
    .action(action(io, async (s, o: OrgFlag & { category?: string; pageSize: string; pageToken?: string }) => {
      const res = await templates(s).listTemplates({ orgId: await resolveOrg(s, o.org), category: o.category ?? "", pageSize: Number(o.pageSize) || 0, pageToken: o.pageToken ?? "" });
      s.emit(ListTemplatesResponseSchema, res, () => {
        printTable(s.io, ["ID", "NAME", "CATEGORY", "LANGUAGES", "UPDATED"], res.templates.map((t) => [
          shortId(t.id), t.name, t.category, t.variants.map((v) => (v.language === t.defaultLanguage ? `${v.language}*` : v.language)).join(" "), time(t.updateTime),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  c.command("show <template>").description("one template (name, id or id prefix) with every variant")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await templates(s).getTemplate({ orgId, templateId: await resolveTemplate(s, orgId, ref) });
      s.emit(GetTemplateResponseSchema, res, () => showTemplate(s, res.template));
    }));

  variantOptions(c.command("update <template>").description("change a template; variants given replace all variants"))
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--name <name>", "a new name")
    .option("--category <category>", "a new category (\"\" for none)")
    .option("--default-language <tag>", "a new default language (one of the variants)")
    .action(action(io, async (s, ref: string, o: OrgFlag & VariantFlags & { name?: string; category?: string; defaultLanguage?: string }) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await templates(s).updateTemplate({
        orgId, templateId: await resolveTemplate(s, orgId, ref), name: o.name, category: o.category, defaultLanguage: o.defaultLanguage, variants: await variantsFrom(s, o),
      });
      s.emit(UpdateTemplateResponseSchema, res, () => showTemplate(s, res.template));
    }));

  c.command("remove <template>").description("delete a template (refused while a blast still creates messages from it)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, ref: string, o: OrgFlag) => {
      const orgId = await resolveOrg(s, o.org);
      const templateId = await resolveTemplate(s, orgId, ref);
      await templates(s).deleteTemplate({ orgId, templateId });
      if (!s.json) s.io.stdout(`Removed template ${templateId}.\n`);
    }));

  c.command("preview <template>").description("render a template for a language with variables (nothing is sent)")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--language <tag>", "the recipient's language (default: the template's)", "")
    .option("--var <name=value>", "a variable (repeat for more)", collect, [] as string[])
    .action(action(io, async (s, ref: string, o: OrgFlag & { language: string; var: string[] }) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await templates(s).renderTemplate({ orgId, templateId: await resolveTemplate(s, orgId, ref), language: o.language, variables: variablesOf(o.var) });
      s.emit(RenderTemplateResponseSchema, res, () => printRecord(s.io, { language: res.language, subject: res.subject, text: res.text, ...(res.html ? { html: res.html } : {}) }));
    }));
}
