// polity chains set | show | list | remove: the order in which an org's services are tried — the org default,
// per message category, or for one contact. A contact's chain beats its message's category's, which beats the
// org default; with none, every enabled service is tried in the order of the contact's addresses.
import type { Command } from "commander";
import { create } from "@bufbuild/protobuf";
import { type Chain, ChainScopeSchema, type ChainScope, GetChainResponseSchema, ListChainsResponseSchema, SetChainResponseSchema } from "../../gen/polity/mod/messaging/v1/providers_pb.js";
import { action, type Session } from "../session.js";
import { UsageError } from "../exit.js";
import { printNextPage, printRecord, printTable, time } from "../output.js";
import { listAll, resolveOrg } from "../resolve.js";
import type { Io } from "../io.js";
import { providers, resolveProvider } from "./services.js";

type ScopeFlags = { org: string; default?: boolean; category?: string; contact?: string };

function scopeOf(o: ScopeFlags): ChainScope {
  const given = [o.default, o.category !== undefined, o.contact !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError("Name one scope: --default, --category NAME or --contact CONTACT_ID.");
  if (o.category !== undefined) return create(ChainScopeSchema, { scope: { case: "category", value: o.category } });
  if (o.contact !== undefined) return create(ChainScopeSchema, { scope: { case: "contactId", value: o.contact } });
  return create(ChainScopeSchema, { scope: { case: "orgDefault", value: true } });
}

const scopeText = (scope: ChainScope | undefined): string =>
  scope?.scope.case === "category" ? `category ${scope.scope.value}` : scope?.scope.case === "contactId" ? `contact ${scope.scope.value}` : "org default";

async function namesOf(s: Session, orgId: string): Promise<Map<string, string>> {
  const list = await listAll(async (pageToken) => {
    const res = await providers(s).listProviders({ orgId, pageSize: 200, pageToken });
    return { items: res.providers, next: res.nextPageToken };
  });
  return new Map(list.map((p) => [p.id, `${p.name} (${p.kind}${p.enabled ? "" : ", disabled"})`]));
}

function showChain(s: Session, chain: Chain | undefined, names: Map<string, string>): void {
  if (!chain) return;
  printRecord(s.io, { scope: scopeText(chain.scope), order: chain.providerIds.map((id, i) => `${i + 1}. ${names.get(id) ?? id}`).join("\n"), updated: time(chain.updateTime) });
}

const withScope = (cmd: Command) => cmd
  .requiredOption("--org <org>", "organisation: slug, id or its prefix")
  .option("--default", "the org's default chain")
  .option("--category <name>", "the chain of one message category")
  .option("--contact <contact-id>", "one contact's own chain");

export function register(program: Command, io: Io): void {
  const c = program.command("chains").description("service chains: the order an org's services are tried in");

  withScope(c.command("set <services...>").description("set a chain: services (names or ids) in the order they are tried"))
    .action(action(io, async (s, refs: string[], o: ScopeFlags) => {
      const orgId = await resolveOrg(s, o.org);
      const scope = scopeOf(o);
      const providerIds: string[] = [];
      for (const ref of refs) providerIds.push(await resolveProvider(s, orgId, ref));
      const res = await providers(s).setChain({ orgId, scope, providerIds });
      const names = s.json ? new Map<string, string>() : await namesOf(s, orgId);
      s.emit(SetChainResponseSchema, res, () => showChain(s, res.chain, names));
    }));

  withScope(c.command("show").description("one chain"))
    .action(action(io, async (s, o: ScopeFlags) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await providers(s).getChain({ orgId, scope: scopeOf(o) });
      const names = s.json ? new Map<string, string>() : await namesOf(s, orgId);
      s.emit(GetChainResponseSchema, res, () => showChain(s, res.chain, names));
    }));

  c.command("list").description("the org's chains")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--page-size <n>", "chains per page", "50")
    .option("--page-token <token>", "the next page, as printed by the previous one")
    .action(action(io, async (s, o: { org: string; pageSize: string; pageToken?: string }) => {
      const orgId = await resolveOrg(s, o.org);
      const res = await providers(s).listChains({ orgId, pageSize: Number(o.pageSize) || 0, pageToken: o.pageToken ?? "" });
      const names = s.json ? new Map<string, string>() : await namesOf(s, orgId);
      s.emit(ListChainsResponseSchema, res, () => {
        printTable(s.io, ["SCOPE", "SERVICES, IN ORDER", "UPDATED"], res.chains.map((ch) => [scopeText(ch.scope), ch.providerIds.map((id) => names.get(id) ?? id).join("\n"), time(ch.updateTime)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  withScope(c.command("remove").description("delete a chain (the next scope in precedence applies)"))
    .action(action(io, async (s, o: ScopeFlags) => {
      const orgId = await resolveOrg(s, o.org);
      const scope = scopeOf(o);
      await providers(s).deleteChain({ orgId, scope });
      if (!s.json) s.io.stdout(`Removed the chain of the ${scopeText(scope)}.\n`);
    }));
}
