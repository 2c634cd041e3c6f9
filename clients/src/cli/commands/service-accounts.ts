// polity service-accounts create | list | keys | create-key | revoke-key: identities for drivers and CI.
import type { Command } from "commander";
import {
  CreateApiKeyResponseSchema, CreateServiceAccountResponseSchema, ListApiKeysResponseSchema, ListServiceAccountsResponseSchema,
} from "../../gen/polity/sys/account/v1/account_pb.js";
import { action } from "../session.js";
import { int, page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { resolveOrg } from "../resolve.js";
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

  sa.command("keys <service-account-id>").description("list a service account's API keys").action(action(io, async (s, id: string) => {
    const res = await s.client.accounts.listApiKeys({ serviceAccountId: id });
    s.emit(ListApiKeysResponseSchema, res, () =>
      printTable(
        s.io,
        ["ID", "NAME", "PREFIX", "CREATED (UTC)", "LAST USED", "EXPIRES", "REVOKED"],
        res.apiKeys.map((k) => [shortId(k.id), k.name, k.prefix, tableTime(k.createdAt), tableTime(k.lastUsedAt), tableTime(k.expiresAt), tableTime(k.revokedAt)]),
      ),
    );
  }));

  sa.command("create-key <service-account-id>")
    .description("issue another API key (e.g. to rotate keys)")
    .requiredOption("--name <name>", "what the key is for")
    .option("--expires-in-days <days>", "0 for no expiry", int)
    .action(action(io, async (s, id: string, o: { name: string; expiresInDays?: number }) => {
      const res = await s.client.accounts.createApiKey({ serviceAccountId: id, name: o.name, expiresInDays: o.expiresInDays ?? 0 });
      s.emit(CreateApiKeyResponseSchema, res, () => {
        printRecord(s.io, { "key id": res.apiKey?.id, name: res.apiKey?.name, expires: time(res.apiKey?.expiresAt), "api key": res.apiKeySecret });
        s.io.stderr(SECRET_NOTE);
      });
    }));

  sa.command("revoke-key <service-account-id> <key-id>").description("revoke an API key").action(action(io, async (s, id: string, keyId: string) => {
    await s.client.accounts.revokeApiKey({ serviceAccountId: id, apiKeyId: keyId });
    if (!s.json) s.io.stderr(`revoked key ${keyId}\n`);
  }));
}
