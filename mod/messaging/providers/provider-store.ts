// Provider rows and their public form. The config a caller gives is checked against the kind's schema (defaults
// filled), merged over the secrets already stored (so an update need not repeat them), and split: plain fields
// stored as JSON, secrets sealed with the row id as associated data. Nothing here returns a secret.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Provider, type ProviderKind, ProviderKindSchema, ProviderSchema } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { type ConfigObject, createConfigSchemas, openSecrets, sealSecrets, secretFieldsOf, splitSecrets } from "../../../sys/core/secrets/sealed-config.js";
import { isUuid } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import type { JsonObject, ProviderDefinition } from "../services/sdk/define-provider.js";
import { FALLBACK_RATE_PER_SECOND, providerWebhookUrl } from "./chain.js";
import { ProviderEntity } from "./entities.js";
import { definitionOf } from "./kinds.js";
import type { ProviderRow } from "./rows.js";

const schemas = createConfigSchemas();

export async function providerRow(em: EntityManager, orgId: string, providerId: string): Promise<ProviderRow> {
  const row = isUuid(providerId) ? ((await em.findOne(ProviderEntity, { id: providerId, orgId })) as ProviderRow | null) : null;
  if (!row) throw notFound("provider", providerId);
  return row;
}

/** Checks `given` (over the secrets `row` already holds) and sets the row's config and sealed secrets. */
export function applyConfig(deps: MessagingDeps, definition: ProviderDefinition, row: ProviderRow, given: ConfigObject): void {
  const kept = openSecrets(deps.secrets, row.id, row.secrets);
  const checked = schemas.check(definition.configSchema, { ...kept, ...given }, "config");
  const { plain, secrets } = splitSecrets(definition.configSchema, checked);
  row.config = plain;
  row.secrets = sealSecrets(deps.secrets, row.id, secrets);
}

export function providerToProto(deps: MessagingDeps, row: ProviderRow): Provider {
  const definition = definitionOf(deps, row.kind);
  return create(ProviderSchema, {
    id: row.id,
    orgId: row.orgId,
    kind: row.kind,
    channel: row.channel,
    name: row.name,
    config: row.config as JsonObject,
    secretsSet: Object.keys(openSecrets(deps.secrets, row.id, row.secrets)),
    enabled: row.enabled,
    ratePerSecond: row.ratePerSecond ?? definition?.defaultRatePerSecond ?? FALLBACK_RATE_PER_SECOND,
    ratePerSecondOverride: row.ratePerSecond ?? undefined,
    webhookUrl: definition?.inbound ? webhookUrlOrEmpty(deps, row.id) : "",
    createTime: timestampFromDate(row.createdAt),
    updateTime: timestampFromDate(row.updatedAt),
  });
}

export function kindToProto(definition: ProviderDefinition): ProviderKind {
  return create(ProviderKindSchema, {
    kind: definition.kind,
    channel: definition.channel,
    description: definition.description,
    configSchema: definition.configSchema as JsonObject,
    secretFields: secretFieldsOf(definition.configSchema),
    defaultRatePerSecond: definition.defaultRatePerSecond ?? FALLBACK_RATE_PER_SECOND,
    inbound: definition.inbound !== undefined,
  });
}

function webhookUrlOrEmpty(deps: MessagingDeps, providerId: string): string {
  try {
    return providerWebhookUrl(deps, providerId);
  } catch {
    return ""; // not listening yet and no public URL configured
  }
}
