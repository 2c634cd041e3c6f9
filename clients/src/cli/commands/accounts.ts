// polity accounts list | get | disable | enable | delete (platform administration).
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import {
  AccountKind, GetAccountResponseSchema, ListAccountsResponseSchema, type Account,
} from "../../gen/polity/sys/account/v1/account_pb.js";
import { action, type Session } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { resolveAccount } from "../resolve.js";
import type { Io } from "../io.js";

const kinds: Record<string, AccountKind> = { person: AccountKind.PERSON, service: AccountKind.SERVICE };

function kind(value: string): AccountKind {
  const k = kinds[value];
  if (k === undefined) throw new InvalidArgumentError("expected person or service");
  return k;
}

export const kindName = (k: AccountKind) => (k === AccountKind.PERSON ? "person" : k === AccountKind.SERVICE ? "service" : "");

export function register(program: Command, io: Io): void {
  const accounts = program.command("accounts").description("manage accounts");

  withPaging(accounts.command("list"))
    .description("list accounts")
    .option("--query <text>", "match email or name")
    .option("--kind <kind>", "person or service", kind)
    .action(action(io, async (s, o: PageOptions & { query?: string; kind?: AccountKind }) => {
      const res = await s.client.accounts.listAccounts({ ...page(o), query: o.query ?? "", kind: o.kind ?? AccountKind.UNSPECIFIED });
      s.emit(ListAccountsResponseSchema, res, () => {
        printTable(
          s.io,
          ["ID", "KIND", "EMAIL", "NAME", "VERIFIED", "DISABLED", "CREATED (UTC)"],
          res.accounts.map((a) => [shortId(a.id), kindName(a.kind), a.email, a.displayName, a.emailVerified, a.disabled, tableTime(a.createdAt)]),
        );
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  accounts.command("get <account>").description("show one account (email, id or its prefix)").action(action(io, async (s, ref: string) => {
    const res = await s.client.accounts.getAccount({ accountId: await resolveAccount(s, ref) });
    showAccount(s, res.account);
  }));

  accounts.command("disable <account>").description("disable an account (its sessions stop working)").action(action(io, async (s, ref: string) => {
    showAccount(s, (await s.client.accounts.disableAccount({ accountId: await resolveAccount(s, ref) })).account);
  }));

  accounts.command("enable <account>").description("enable a disabled account").action(action(io, async (s, ref: string) => {
    showAccount(s, (await s.client.accounts.enableAccount({ accountId: await resolveAccount(s, ref) })).account);
  }));

  accounts.command("delete <account>").description("delete an account").action(action(io, async (s, ref: string) => {
    const id = await resolveAccount(s, ref);
    await s.client.accounts.deleteAccount({ accountId: id });
    if (!s.json) s.io.stderr(`deleted account ${id}\n`);
  }));
}

/** Prints an account, as JSON {"account": …} so every account command has the same shape. */
export function showAccount(s: Session, account: Account | undefined): void {
  s.emit(GetAccountResponseSchema, { $typeName: GetAccountResponseSchema.typeName, account }, () =>
    printRecord(s.io, {
      id: account?.id,
      kind: account ? kindName(account.kind) : "",
      email: account?.email,
      name: account?.displayName,
      verified: account?.emailVerified,
      disabled: account?.disabled,
      "owner org": account?.ownerOrgId,
      created: time(account?.createdAt),
      updated: time(account?.updatedAt),
      etag: account?.etag,
    }),
  );
}
