// Templates of an org: a name, a category (the message category its sends use), a default language, and one
// variant per language (BCP 47) kept together in one row, since a render always needs the set to fall back in.
import { defineEntity, p } from "@mikro-orm/core";

export interface TemplateVariant {
  language: string;
  subject: string;
  text: string;
  html?: string;
  markdown?: string;
}

export const TemplateEntity = defineEntity({
  name: "MessagingTemplate",
  tableName: "messaging_templates",
  uniques: [{ properties: ["orgId", "name"] }],
  indexes: [{ properties: ["orgId", "createdAt", "id"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.uuid(),
    name: p.string().length(200),
    category: p.string().length(100),
    defaultLanguage: p.string().length(35),
    variants: p.json().$type<TemplateVariant[]>(),
    createdBy: p.string().length(64),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
