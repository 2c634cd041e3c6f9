// polity sessions list | revoke: the signed-in devices of the current account.
import type { Command } from "commander";
import { ListSessionsResponseSchema } from "../../gen/polity/sys/auth/v1/auth_pb.js";
import { action } from "../session.js";
import { printTable, shortId, tableTime } from "../output.js";
import { pick } from "../resolve.js";
import type { Io } from "../io.js";

export function register(program: Command, io: Io): void {
  const sessions = program.command("sessions").description("list or revoke your sessions");

  sessions
    .command("list")
    .description("list your active sessions")
    .action(action(io, async (s) => {
      const res = await s.client.auth.listSessions({});
      s.emit(ListSessionsResponseSchema, res, () =>
        printTable(
          s.io,
          ["ID", "CLIENT", "ADDRESS", "CREATED (UTC)", "LAST USED", "EXPIRES", "CURRENT"],
          res.sessions.map((x) => [shortId(x.id), x.clientName, x.clientAddress, tableTime(x.createdAt), tableTime(x.lastUsedAt), tableTime(x.expiresAt), x.current]),
        ),
      );
    }));

  sessions
    .command("revoke <session>")
    .description("end a session (its refresh token stops working); its id or a unique prefix")
    .action(action(io, async (s, ref: string) => {
      const { sessions: all } = await s.client.auth.listSessions({});
      const id = pick("session", ref, all.map((x) => ({ id: x.id, names: [], label: `${x.clientName} ${x.clientAddress}` })), "polity sessions list");
      await s.client.auth.revokeSession({ sessionId: id });
      if (!s.json) s.io.stderr(`revoked session ${id}\n`);
    }));
}
