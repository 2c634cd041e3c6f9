// polity whoami | health: who the stored session belongs to, and whether the server serves.
import type { Command } from "commander";
import { WhoAmIResponseSchema } from "../../gen/polity/sys/auth/v1/auth_pb.js";
import { HealthCheckResponseSchema, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { action } from "../session.js";
import { printRecord } from "../output.js";
import { resourceNames } from "../names.js";
import { EXIT, ExitStatus } from "../exit.js";
import type { Io } from "../io.js";

export function register(program: Command, io: Io): void {
  program
    .command("whoami")
    .description("show the account of the current session and its roles")
    .action(action(io, async (s) => {
      const me = await s.client.auth.whoAmI({});
      const resource = s.json ? (x: string) => x : await resourceNames(s);
      s.emit(WhoAmIResponseSchema, me, () =>
        printRecord(s.io, {
          id: me.accountId,
          email: me.email,
          name: me.displayName,
          kind: me.kind,
          verified: me.emailVerified,
          disabled: me.disabled,
          roles: me.roles.map((r) => `${r.role} on ${resource(r.resource)}`).join("\n"),
        }),
      );
    }));

  program
    .command("health")
    .description("check the server's health (grpc.health.v1); exits 1 unless SERVING")
    .option("--service <name>", "a service name, empty for the whole server", "")
    .action(action(io, async (s, o: { service: string }) => {
      const res = await s.client.health.check({ service: o.service });
      const status = HealthCheckResponse_ServingStatus[res.status] ?? String(res.status);
      s.emit(HealthCheckResponseSchema, res, () => s.io.stdout(`${status}\n`));
      if (res.status !== HealthCheckResponse_ServingStatus.SERVING) throw new ExitStatus(EXIT.server);
    }));
}
