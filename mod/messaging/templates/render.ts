// A template rendered for one language: the exact variant (case-insensitive BCP 47), else the base language's
// (pt-BR → pt), else the template's default language.
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { isUuid, query, tableOf } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import { renderVariant, type Rendered } from "./engine.js";
import { TemplateEntity, type TemplateVariant } from "./entities.js";

export interface LoadedTemplate {
  id: string;
  orgId: string;
  name: string;
  category: string;
  defaultLanguage: string;
  variants: TemplateVariant[];
}

export async function loadTemplate(em: EntityManager, orgId: string, templateId: string): Promise<LoadedTemplate> {
  if (!isUuid(templateId)) throw notFound("template", templateId);
  const rows = await query<{ id: string; org_id: string; name: string; category: string; default_language: string; variants: TemplateVariant[] | string }>(
    em,
    `select "id", "org_id", "name", "category", "default_language", "variants" from ${tableOf(em, TemplateEntity)} where "id" = ? and "org_id" = ?`,
    [templateId, orgId],
  );
  const row = rows[0];
  if (!row) throw notFound("template", templateId);
  const variants = typeof row.variants === "string" ? (JSON.parse(row.variants) as TemplateVariant[]) : row.variants;
  return { id: row.id, orgId: row.org_id, name: row.name, category: row.category, defaultLanguage: row.default_language, variants };
}

/** The variant to use for `language` ("" = the default). */
export function chooseVariant(template: Pick<LoadedTemplate, "variants" | "defaultLanguage">, language: string): TemplateVariant {
  const find = (tag: string) => template.variants.find((v) => v.language.toLowerCase() === tag.toLowerCase());
  const base = language.split("-")[0] ?? "";
  return (language && find(language)) || (base && find(base)) || find(template.defaultLanguage) || template.variants[0]!;
}

export async function renderTemplate(
  deps: MessagingDeps,
  em: EntityManager,
  orgId: string,
  templateId: string,
  language: string,
  variables: Record<string, string>,
): Promise<Rendered> {
  void deps;
  const template = await loadTemplate(em, orgId, templateId);
  return renderVariant(chooseVariant(template, language), variables);
}
