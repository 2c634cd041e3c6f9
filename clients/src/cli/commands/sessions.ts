// polity sessions list | revoke: the signed-in devices of the current account.
import type { Command } from "commander";
import { ListSessionsResponseSchema } from "../../gen/polity/sys/auth/v1/auth_pb.js";
import { action } from "../session.js";
import { printTable, time } from "../output.js";
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
          ["ID", "CLIENT", "ADDRESS", "CREATED", "LAST USED", "EXPIRES", "CURRENT"],
          res.sessions.map((x) => [x.id, x.clientName, x.clientAddress, time(x.createdAt), time(x.lastUsedAt), time(x.expiresAt), x.current]),
        ),
      );
    }));

  sessions
    .command("revoke <session-id>")
    .description("end a session (its refresh token stops working)")
    .action(action(io, async (s, id: string) => {
      await s.client.auth.revokeSession({ sessionId: id });
      if (!s.json) s.io.stderr(`revoked session ${id}\n`);
    }));
}
