// polity service-accounts create | list | keys | create-key | revoke-key: identities for drivers and CI.
import type { Command } from "commander";
import {
  CreateApiKeyResponseSchema, CreateServiceAccountResponseSchema, ListApiKeysResponseSchema, ListServiceAccountsResponseSchema,
} from "../../gen/polity/sys/account/v1/account_pb.js";
import { action } from "../session.js";
import { int, page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { isUuid, listAll, pick, resolveOrg } from "../resolve.js";
import { UsageError } from "../exit.js";
import type { Session } from "../session.js";
import type { Io } from "../io.js";

const SECRET_NOTE = "store this API key now; it is not shown again\n";

export function register(program: Command, io: Io): void {
  const sa = program.command("service-accounts").description("service accounts and their API keys");

  sa.command("create")
    .description("create a service account in an organisation, with a first API key")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .requiredOption("--name <display name>", "display name")
    .option("--role <role>", "org role to grant: member or guest")
    .action(action(io, async (s, o: { org: string; name: string; role?: string }) => {
      const res = await s.client.accounts.createServiceAccount({ orgId: await resolveOrg(s, o.org), displayName: o.name, role: o.role ?? "" });
      s.emit(CreateServiceAccountResponseSchema, res, () => {
        printRecord(s.io, { id: res.serviceAccount?.id, name: res.serviceAccount?.displayName, "key id": res.apiKey?.id, "api key": res.apiKeySecret });
        s.io.stderr(SECRET_NOTE);
      });
    }));

  withPaging(sa.command("list"))
    .description("list the service accounts of an organisation")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .action(action(io, async (s, o: PageOptions & { org: string }) => {
      const res = await s.client.accounts.listServiceAccounts({ ...page(o), orgId: await resolveOrg(s, o.org) });
      s.emit(ListServiceAccountsResponseSchema, res, () => {
        printTable(s.io, ["ID", "NAME", "DISABLED", "CREATED (UTC)"], res.serviceAccounts.map((a) => [shortId(a.id), a.displayName, a.disabled, tableTime(a.createdAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  sa.command("keys <service-account>").description("list a service account's API keys (its id; with --org also its name or id prefix)")
    .option("--org <org>", "the service account's organisation")
    .action(action(io, async (s, ref: string, o: { org?: string }) => {
      const res = await s.client.accounts.listApiKeys({ serviceAccountId: await resolveServiceAccount(s, o.org, ref) });
      s.emit(ListApiKeysResponseSchema, res, () =>
        printTable(
          s.io,
          ["ID", "NAME", "PREFIX", "CREATED (UTC)", "LAST USED", "EXPIRES", "REVOKED"],
          res.apiKeys.map((k) => [shortId(k.id), k.name, k.prefix, tableTime(k.createdAt), tableTime(k.lastUsedAt), tableTime(k.expiresAt), tableTime(k.revokedAt)]),
        ),
      );
    }));

  sa.command("create-key <service-account>")
    .description("issue another API key (e.g. to rotate keys)")
    .requiredOption("--name <name>", "what the key is for")
    .option("--expires-in-days <days>", "0 for no expiry", int)
    .option("--org <org>", "the service account's organisation (to name it by name or id prefix)")
    .action(action(io, async (s, ref: string, o: { name: string; expiresInDays?: number; org?: string }) => {
      const res = await s.client.accounts.createApiKey({ serviceAccountId: await resolveServiceAccount(s, o.org, ref), name: o.name, expiresInDays: o.expiresInDays ?? 0 });
      s.emit(CreateApiKeyResponseSchema, res, () => {
        printRecord(s.io, { "key id": res.apiKey?.id, name: res.apiKey?.name, expires: time(res.apiKey?.expiresAt), "api key": res.apiKeySecret });
        s.io.stderr(SECRET_NOTE);
      });
    }));

  sa.command("revoke-key <service-account> <key>").description("revoke an API key (key: its id, id prefix or name)")
    .option("--org <org>", "the service account's organisation (to name it by name or id prefix)")
    .action(action(io, async (s, ref: string, keyRef: string, o: { org?: string }) => {
      const id = await resolveServiceAccount(s, o.org, ref);
      const { apiKeys } = await s.client.accounts.listApiKeys({ serviceAccountId: id });
      const apiKeyId = pick("API key", keyRef, apiKeys.map((k) => ({ id: k.id, names: [k.name], label: `${k.name} (${k.prefix}…)` })), `polity service-accounts keys ${ref}`, "its name or its id");
      await s.client.accounts.revokeApiKey({ serviceAccountId: id, apiKeyId });
      if (!s.json) s.io.stderr(`revoked key ${keyRef}\n`);
    }));
}

async function resolveServiceAccount(s: Session, org: string | undefined, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  if (!org) throw new UsageError(`"${ref}" is not a service account id. Pass --org ORG to name one by name or id prefix, or pass its full id.`);
  const orgId = await resolveOrg(s, org);
  const list = await listAll(async (pageToken) => {
    const res = await s.client.accounts.listServiceAccounts({ orgId, pageSize: 200, pageToken });
    return { items: res.serviceAccounts, next: res.nextPageToken };
  });
  return pick("service account", ref, list.map((a) => ({ id: a.id, names: [a.displayName], label: a.displayName })), `polity service-accounts list --org ${org}`, "its name or its id");
}
