// Template rows ↔ proto, and the checks only stored data can answer (variants compile, default language kept).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { TemplateSchema, TemplateVariantSchema, type Template, type TemplateVariant as ProtoVariant } from "../../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { invalidArgument, notFound } from "../../../sys/core/errors.js";
import { checkSyntax } from "./engine.js";
import { TemplateEntity, type TemplateVariant } from "./entities.js";

export interface TemplateRow {
  id: string;
  orgId: string;
  name: string;
  category: string;
  defaultLanguage: string;
  variants: TemplateVariant[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** BCP 47 in canonical case ("pt-br" → "pt-BR"); a tag Intl refuses is INVALID_ARGUMENT. */
export function canonicalLanguage(tag: string, field: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0]!;
  } catch {
    throw invalidArgument(field, `"${tag}" is not a BCP 47 language tag`, "INVALID_LANGUAGE");
  }
}

/** Variants from the request, canonical and compiled once to refuse syntax errors at save time. */
export function variantsOf(variants: ProtoVariant[]): TemplateVariant[] {
  const seen = new Set<string>();
  return variants.map((v, i) => {
    const language = canonicalLanguage(v.language, `variants[${i}].language`);
    if (seen.has(language)) throw invalidArgument(`variants[${i}].language`, `a second variant for ${language}`, "DUPLICATE_LANGUAGE");
    seen.add(language);
    const variant: TemplateVariant = { language, subject: v.subject, text: v.text };
    if (v.html) variant.html = v.html;
    if (v.markdown) variant.markdown = v.markdown;
    checkSyntax(variant);
    return variant;
  });
}

/** The default language among the variants (as they spell it), or DEFAULT_LANGUAGE_MISSING. */
export function defaultAmong(variants: TemplateVariant[], language: string): string {
  const canonical = canonicalLanguage(language, "default_language");
  const found = variants.find((v) => v.language === canonical);
  if (!found) throw invalidArgument("default_language", `no variant for ${canonical}`, "DEFAULT_LANGUAGE_MISSING");
  return found.language;
}

export async function templateRow(em: EntityManager, orgId: string, templateId: string): Promise<TemplateRow> {
  const row = (await em.findOne(TemplateEntity, { id: templateId, orgId })) as TemplateRow | null;
  if (!row) throw notFound("template", templateId);
  return row;
}

export function templateToProto(row: TemplateRow): Template {
  return create(TemplateSchema, {
    id: row.id,
    orgId: row.orgId,
    name: row.name,
    category: row.category,
    defaultLanguage: row.defaultLanguage,
    variants: row.variants.map((v) => create(TemplateVariantSchema, { language: v.language, subject: v.subject, text: v.text, html: v.html ?? "", markdown: v.markdown ?? "" })),
    createdBy: row.createdBy,
    createTime: timestampFromDate(row.createdAt),
    updateTime: timestampFromDate(row.updatedAt),
  });
}
