// polity delegate MEMBER [--topic T] | polity delegate --revoke [--topic T] | polity delegations.
import type { Command } from "commander";
import {
  ListDelegationsResponseSchema, RevokeDelegationResponseSchema, SetDelegationResponseSchema, type Delegation,
} from "../../gen/polity/mod/voting/v1/voting_pb.js";
import { action } from "../session.js";
import { printRecord, printTable, tableTime, time } from "../output.js";
import { memberNames, type Names } from "../names.js";
import { communityId, resolveMember, withCommunity } from "../community-context.js";
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";

const chain = (d: Delegation, name: Names = (x) => x) => d.chain.map(name).join(" → ");

export function register(program: Command, io: Io): void {
  withCommunity(program.command("delegate [member]"))
    .description("delegate your vote to a member (email, name, account id or its prefix), globally or for a topic; --revoke to take it back")
    .option("--topic <topic>", "only polls with this topic (default: every poll)")
    .option("--revoke", "revoke the delegation of this scope", false)
    .action(action(io, async (s, member: string | undefined, o: { community?: string; topic?: string; revoke: boolean }) => {
      const community = await communityId(s, o.community);
      const topic = o.topic ?? "";
      const scope = topic ? `topic "${topic}"` : "every topic";
      if (o.revoke) {
        if (member) throw new UsageError("--revoke takes no member");
        const res = await s.client.voting.revokeDelegation({ communityId: community, topic });
        return s.emit(RevokeDelegationResponseSchema, res, () => s.io.stderr(`revoked your delegation for ${scope}\n`));
      }
      if (!member) throw new UsageError("name the member to delegate to, or pass --revoke");
      const delegateId = await resolveMember(s, community, member);
      const res = await s.client.voting.setDelegation({ communityId: community, delegateId, topic });
      const name = s.json ? (x: string) => x : await memberNames(s, community);
      s.emit(SetDelegationResponseSchema, res, () =>
        printRecord(s.io, {
          delegate: res.delegation ? `${name(res.delegation.delegateId)} (${res.delegation.delegateId})` : "",
          scope, chain: res.delegation ? chain(res.delegation, name) : "", since: time(res.delegation?.createdAt),
        }),
      );
    }));

  withCommunity(program.command("delegations"))
    .description("whom you delegate to (with the chain it resolves through) and who delegates to you")
    .action(action(io, async (s, o: { community?: string }) => {
      const community = await communityId(s, o.community);
      const res = await s.client.voting.listDelegations({ communityId: community });
      const name = s.json ? (x: string) => x : await memberNames(s, community);
      s.emit(ListDelegationsResponseSchema, res, () => {
        s.io.stdout("You delegate to:\n");
        printTable(s.io, ["TOPIC", "DELEGATE", "CHAIN", "SINCE (UTC)"], res.outgoing.map((d) => [d.topic || "(all)", name(d.delegateId), chain(d, name), tableTime(d.createdAt)]));
        s.io.stdout("Delegating to you:\n");
        printTable(s.io, ["TOPIC", "DELEGATOR", "SINCE (UTC)"], res.incoming.map((d) => [d.topic || "(all)", name(d.delegatorId), tableTime(d.createdAt)]));
      });
    }));
}
