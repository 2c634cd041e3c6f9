// The Kubernetes manifests (deploy/k8s): every overlay rendered by Kustomize, every object valid against the
// Kubernetes schema, and the references between them checked as the cluster would follow them — Services and
// Ingresses reach pods and declared ports, probes name declared ports, the NetworkPolicy admits exactly the
// pods that call sys, every ConfigMap and Secret named exists, each container's settings load as polityd would
// load them, and SIGTERM's drain fits in the termination grace period. Skipped where kubectl is not installed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MOD_MODULE_IDS, MOD_MODULE_PATHS } from "../../sys/cmd/modules.js";
import { repoRoot } from "../support/server.js";
import { containerPort, hasKubectl, ingressBackend, type K8sObject, renderKustomization, schemaError, selects, type Workload, workloads } from "./kubernetes.js";
import { imageEnv, isKnownEnv, politydConfig } from "./polity-config.js";

const k8s = join(repoRoot, "deploy", "k8s");
const overlays = readdirSync(join(k8s, "overlays")).sort();
// Stand-ins for the Secret template's placeholders that polityd would refuse, so the rest can be checked.
const STAND_INS: Record<string, string> = { POLITY_SECRETS_KEY: Buffer.alloc(32, 7).toString("base64") };

/** A gRPC or HTTP path that each module answers, per the module table and its proto services. */
function samplePaths(module: string): string[] {
  return MOD_MODULE_PATHS[module as keyof typeof MOD_MODULE_PATHS].flatMap((prefix) => {
    if (!prefix.startsWith("/polity.")) return [`${prefix}sample`];
    const dir = join(repoRoot, "proto", ...prefix.slice(1, -1).split("."), "v1");
    const services = readdirSync(dir).flatMap((file) => [...readFileSync(join(dir, file), "utf8").matchAll(/^service (\w+)/gm)].map((m) => m[1]));
    return services.map((service) => `${prefix}v1.${service}/Method`);
  });
}

// In CI the manifests must be checked, not skipped: a missing kubectl fails there.
it.runIf(process.env.CI === "true")("has kubectl to render the overlays with, in CI", () => {
  expect(hasKubectl).toBe(true);
});

it("has overlays to check", () => {
  expect(overlays).toEqual(expect.arrayContaining(["small", "production", "per-module"]));
});

describe.skipIf(!hasKubectl).each(overlays)("overlay %s", (overlay) => {
  let objects: K8sObject[];
  let pods: Workload[];
  const all = (kind: string) => objects.filter((o) => o.kind === kind);
  const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const polityd = (w: Workload) => w.pod.containers.find((c: { name: string }) => c.name === "polityd");
  const deployments = () => pods.filter((w) => w.owner.kind === "Deployment");
  const selected = (selector: Record<string, string>) => deployments().filter((w) => selects(selector, w.labels));

  /** The container's environment: the image's, then envFrom in order, then env; Secret placeholders stood in. */
  function environment(w: Workload): Record<string, string> {
    const container = polityd(w);
    const env: Record<string, string> = imageEnv();
    for (const from of container.envFrom ?? []) {
      const source = from.configMapRef ? named("ConfigMap", from.configMapRef.name)?.data : named("Secret", from.secretRef.name)?.stringData;
      Object.assign(env, source);
    }
    for (const entry of container.env ?? []) env[entry.name] = entry.value;
    for (const [key, value] of Object.entries(STAND_INS)) if (env[key]?.includes("REPLACE")) env[key] = value;
    return env;
  }
  const config = (w: Workload) => politydConfig(environment(w), polityd(w).args ?? []);

  beforeAll(() => {
    objects = renderKustomization(join(k8s, "overlays", overlay));
    pods = workloads(objects);
  });

  it("renders objects the Kubernetes schema accepts, each kind and name once, all in one namespace", async () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) expect(await schemaError(object), `${object.kind} ${object.metadata.name}`).toBeUndefined();
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    const namespaces = new Set(objects.filter((o) => o.kind !== "Namespace").map((o) => o.metadata.namespace));
    expect([...namespaces]).toHaveLength(1);
    expect(all("Namespace").map((n) => n.metadata.name)).toEqual([...namespaces]);
  });

  it("runs one pinned image everywhere, as a non-root user on a read-only filesystem with no capabilities", () => {
    const images = new Set(pods.map((w) => polityd(w).image as string));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^[\w.-]+(?::\d+)?\/[\w./-]+:(?!latest$)[\w.-]+$/);
    for (const w of pods) {
      const container = polityd(w);
      const what = `${w.owner.kind} ${w.owner.metadata.name}`;
      expect(w.pod.securityContext, what).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } });
      expect(container.securityContext, what).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      const tmp = container.volumeMounts?.find((m: { mountPath: string }) => m.mountPath === "/tmp");
      expect(w.pod.volumes?.find((v: { name: string }) => v.name === tmp?.name)?.emptyDir, `${what}: /tmp on an emptyDir`).toBeDefined();
      // Service links would set POLITY_<SERVICE>_PORT and friends, where polityd reads its settings.
      expect(w.pod.enableServiceLinks, what).toBe(false);
      expect(w.pod.automountServiceAccountToken, what).toBe(false);
      expect(container.resources?.requests?.cpu, what).toBeDefined();
      expect(container.resources?.limits?.memory, what).toBeDefined();
    }
  });

  it("gives every container settings polityd loads, names only keys it reads, and references only what exists", () => {
    for (const w of pods) {
      const container = polityd(w);
      for (const from of container.envFrom ?? []) {
        if (from.configMapRef) expect(named("ConfigMap", from.configMapRef.name), from.configMapRef.name).toBeDefined();
        if (from.secretRef) expect(named("Secret", from.secretRef.name), from.secretRef.name).toBeDefined();
      }
      const env = environment(w);
      for (const key of Object.keys(env)) expect(isKnownEnv(key), `${w.owner.metadata.name}: ${key}`).toBe(true);
      expect(() => config(w), w.owner.metadata.name).not.toThrow();
      expect(config(w).adminHost, w.owner.metadata.name).toBe("0.0.0.0");
    }
    for (const secret of all("Secret")) {
      expect(secret.data, "a template keeps no encoded values").toBeUndefined();
      for (const [key, value] of Object.entries(secret.stringData ?? {})) expect(value, `${secret.metadata.name}.${key} is a placeholder`).toContain("REPLACE");
    }
  });

  it("refuses to start with the Secret template's secrets key", () => {
    const sys = deployments().find((w) => config(w).tiers.includes("sys"))!;
    const env = { ...environment(sys), POLITY_SECRETS_KEY: named("Secret", "polity-secrets")!.stringData!.POLITY_SECRETS_KEY };
    expect(() => politydConfig(env, polityd(sys).args)).toThrow(/secretsKey/);
  });

  it("runs sys, mod and worker Deployments and a migrate Job", () => {
    const tiers = deployments().map((w) => config(w).tiers.join(","));
    expect(tiers).toEqual(expect.arrayContaining(["sys", "mod", "worker"]));
    const jobs = pods.filter((w) => w.owner.kind === "Job");
    expect(jobs.map((w) => config(w).subcommand)).toEqual(["migrate"]);
    expect(jobs[0].pod.restartPolicy).toBe("Never");
  });

  it("probes declared ports: liveness and startup on the admin /healthz, readiness on grpc.health.v1", () => {
    for (const w of deployments()) {
      const container = polityd(w);
      const what = w.owner.metadata.name;
      const admin = config(w).adminPort;
      for (const name of ["startupProbe", "livenessProbe", "readinessProbe"]) {
        const probe = container[name];
        expect(probe, `${what} ${name}`).toBeDefined();
        const port = probe.httpGet?.port ?? probe.grpc?.port ?? probe.tcpSocket?.port;
        expect(containerPort(container, port), `${what} ${name} port ${port}`).toBeDefined();
      }
      expect(containerPort(container, container.livenessProbe.httpGet?.port), `${what}: liveness never asks sys`).toBe(admin);
      expect(container.livenessProbe.httpGet.path).toBe("/healthz");
      expect(container.startupProbe.httpGet?.path).toBe("/healthz");
      expect(container.readinessProbe.grpc?.port).toBe(config(w).port);
      expect(containerPort(container, config(w).port), `${what} declares its public port`).toBeDefined();
      expect(containerPort(container, admin), `${what} declares its admin port`).toBeDefined();
    }
  });

  it("lets SIGTERM drain within the termination grace period, after the preStop pause", () => {
    for (const w of pods) {
      const preStop = polityd(w).lifecycle?.preStop?.exec?.command as string[] | undefined;
      const pauseMs = preStop ? Number(preStop[1]) * 1000 : 0;
      if (preStop) expect(preStop[0]).toBe("sleep");
      const graceMs = (w.pod.terminationGracePeriodSeconds ?? 30) * 1000;
      expect(graceMs, w.owner.metadata.name).toBeGreaterThan(pauseMs + config(w).shutdownGraceMs);
    }
    for (const w of deployments().filter((d) => all("Service").some((s) => selects(s.spec.selector, d.labels)))) {
      expect(w.owner.spec.strategy?.rollingUpdate?.maxUnavailable, `${w.owner.metadata.name} keeps its pods during a rollout`).toBe(0);
      expect(polityd(w).lifecycle?.preStop, `${w.owner.metadata.name} pauses before draining`).toBeDefined();
    }
  });

  it("points every Service at one Deployment's declared port, and keeps sys off every Ingress", () => {
    for (const service of all("Service")) {
      const targets = selected(service.spec.selector);
      expect(targets.map((w) => w.owner.metadata.name), service.metadata.name).toHaveLength(1);
      for (const port of service.spec.ports) expect(containerPort(polityd(targets[0]), port.targetPort ?? port.port), `${service.metadata.name}:${port.name}`).toBeDefined();
    }
    for (const ingress of all("Ingress")) {
      for (const rule of ingress.spec.rules) {
        for (const path of rule.http.paths) {
          const service = named("Service", path.backend.service.name);
          expect(service, `${ingress.metadata.name} ${path.path}`).toBeDefined();
          const port = path.backend.service.port;
          expect(service!.spec.ports.some((p: { name: string; port: number }) => p.name === port.name || p.port === port.number)).toBe(true);
          const [target] = selected(service!.spec.selector);
          expect(config(target).tiers, `${ingress.metadata.name} ${path.path} reaches a mod process`).toEqual(["mod"]);
        }
      }
    }
  });

  it("reaches sys through its Service, and admits to sys's port exactly the pods that call it", () => {
    const sys = deployments().filter((w) => config(w).tiers.includes("sys"));
    const callers = deployments().filter((w) => config(w).sysUrl);
    expect(callers.length).toBeGreaterThan(0);
    const policies = all("NetworkPolicy").filter((p) => sys.some((w) => selects(p.spec.podSelector, w.labels)));
    expect(policies.map((p) => p.metadata.name)).toEqual(["polity-sys"]);
    const [policy] = policies;
    expect(deployments().filter((w) => selects(policy.spec.podSelector, w.labels))).toEqual(sys);
    for (const caller of callers) {
      const url = new URL(config(caller).sysUrl!);
      const service = named("Service", url.hostname);
      expect(service, `${caller.owner.metadata.name}: --sys-url ${url}`).toBeDefined();
      const servicePort = service!.spec.ports.find((p: { port: number }) => p.port === Number(url.port || 80));
      expect(servicePort, `${url} names a port of ${url.hostname}`).toBeDefined();
      expect(selected(service!.spec.selector)).toEqual(sys);
      const target = containerPort(polityd(sys[0]), servicePort.targetPort);
      const admitted = policy.spec.ingress.some((rule: { from: Array<{ podSelector?: Record<string, string> }>; ports: Array<{ port: number }> }) =>
        rule.ports.some((p) => p.port === target) && rule.from.some((f) => f.podSelector && selects(f.podSelector, caller.labels)));
      expect(admitted, `${caller.owner.metadata.name} may reach sys:${target}`).toBe(true);
    }
    const admittedToApi = deployments().filter((w) => policy.spec.ingress.some((rule: { from: Array<{ podSelector?: Record<string, string> }>; ports: Array<{ port: number }> }) =>
      rule.ports.some((p) => p.port === config(sys[0]).port) && rule.from.some((f) => f.podSelector && selects(f.podSelector, w.labels))));
    expect(admittedToApi.map((w) => w.owner.metadata.name).sort()).toEqual(callers.map((w) => w.owner.metadata.name).sort());
  });

  it("scales Deployments the autoscalers own and keeps one disruption budget per Deployment", () => {
    for (const hpa of all("HorizontalPodAutoscaler")) {
      const target = named("Deployment", hpa.spec.scaleTargetRef.name);
      expect(target, hpa.metadata.name).toBeDefined();
      expect(target!.spec.replicas, `${target!.metadata.name}: the autoscaler owns the count`).toBeUndefined();
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
      expect(hpa.spec.metrics.map((m: { resource: { name: string } }) => m.resource.name)).toEqual(["cpu"]);
    }
    for (const w of deployments()) {
      expect(all("HorizontalPodAutoscaler").filter((h) => h.spec.scaleTargetRef.name === w.owner.metadata.name), w.owner.metadata.name).toHaveLength(1);
      expect(all("PodDisruptionBudget").filter((p) => selects(p.spec.selector, w.labels)), w.owner.metadata.name).toHaveLength(1);
    }
  });

  it("sends every module's calls to a process that serves it, through every Ingress and every forward", () => {
    const serves = (w: Workload, module: string) => config(w).tiers.includes("mod") && (config(w).modules.length === 0 || config(w).modules.includes(module));
    for (const ingress of all("Ingress")) {
      for (const module of MOD_MODULE_IDS) {
        for (const path of samplePaths(module)) {
          const backend = ingressBackend(ingress, path);
          expect(backend, `${ingress.metadata.name} ${path}`).toBeDefined();
          const [target] = selected(named("Service", backend!.service)!.spec.selector);
          expect(serves(target, module), `${ingress.metadata.name} sends ${path} to ${target.owner.metadata.name}`).toBe(true);
        }
      }
    }
    for (const w of deployments()) {
      for (const [module, url] of Object.entries(config(w).moduleUrls)) {
        const service = named("Service", new URL(url).hostname);
        expect(service, `${w.owner.metadata.name} forwards ${module} to ${url}`).toBeDefined();
        expect(selected(service!.spec.selector).every((t) => serves(t, module))).toBe(true);
      }
    }
  });
});
