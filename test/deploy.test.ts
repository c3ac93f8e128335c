/**
 * The deployment files, checked offline (no Docker engine or cluster here): they parse as YAML, have
 * the parts the README promises (PostgreSQL, Redis, two replicas, a TLS proxy; Deployment with probes
 * and resources, Service, PodDisruptionBudget, ConfigMap/Secret), the selectors and ports line up, every
 * variable they set is one the service reads, and the settings they give form a valid production
 * configuration for loadConfig.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ENV_NAMES, loadConfig } from '../src/config.js';

const DEPLOY = new URL('../deploy/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, DEPLOY), 'utf8');

/** Compose's ${VAR:?message} and ${VAR} interpolation, with test values. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_]+)(?::\?[^}]*)?\}/g, (_m, name: string) => {
    if (!(name in vars)) throw new Error(`no test value for ${name}`);
    return vars[name]!;
  });
}

function issuersFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'deploy-')), 'issuers.json');
  writeFileSync(file, JSON.stringify([{ iss: 'https://ehr.example.org', jkuAllowList: ['https://ehr.example.org/.well-known/jwks.json'] }]));
  return file;
}

t.test('compose: PostgreSQL, Redis, two replicas and a TLS proxy; a valid production configuration', async (t) => {
  const doc = parse(read('compose.yaml'), { merge: true }) as any;
  const services = doc.services;
  t.same(Object.keys(services).sort(), ['cds-a', 'cds-b', 'postgres', 'proxy', 'redis']);
  t.ok(services.postgres.healthcheck && services.redis.healthcheck, 'health-checked dependencies');
  t.match(services.proxy.image, /^caddy:/);
  t.same(services.proxy.ports, ['443:443'], 'only TLS is published');
  for (const name of ['cds-a', 'cds-b']) {
    const s = services[name];
    t.notOk(s.ports, `${name} is not published: only the proxy reaches it`);
    t.equal(s.depends_on.postgres.condition, 'service_healthy');
    const env = Object.fromEntries(
      Object.entries(s.environment as Record<string, string>).map(([k, v]) => [
        k,
        interpolate(String(v), { POSTGRES_PASSWORD: 'pw', AUDIT_HASH_KEY: 'k'.repeat(40), METRICS_TOKEN: 'm'.repeat(20) }),
      ]),
    );
    for (const key of Object.keys(env)) t.ok(ENV_NAMES.includes(key), `${name}: ${key} is a setting the service reads`);
    t.match(env.DATABASE_URL, /^postgres:\/\/cds:pw@postgres:5432\/cds$/);
    t.equal(env.REDIS_URL, 'redis://redis:6379');
    const config = loadConfig({ ...env, AUTH_ISSUERS_FILE: issuersFile() });
    t.equal(config.production, true);
    t.equal(config.auth.mode, 'required');
    t.equal(config.TRUST_PROXY, 1);
  }
  const caddy = read('Caddyfile');
  t.match(caddy, /reverse_proxy cds-a:3000 cds-b:3000/);
  t.match(caddy, /health_uri \/readyz/);
  t.match(caddy, /^\s*tls /m);
});

t.test('kubernetes: Deployment with probes and resources, Service, PDB, ConfigMap and Secret that line up', async (t) => {
  const docs = readdirSync(new URL('k8s/', DEPLOY))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(read(`k8s/${f}`)).map((d) => ({ file: f, doc: d.toJS() as any })));
  for (const { file, doc } of docs) {
    t.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${file}: apiVersion, kind, metadata.name`);
  }
  const byKind = (kind: string) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
  const [deployment] = byKind('Deployment');
  const [service] = byKind('Service');
  const [pdb] = byKind('PodDisruptionBudget');
  const [configMap] = byKind('ConfigMap');
  const [secret] = byKind('Secret');
  t.ok(deployment && service && pdb && configMap && secret && byKind('Ingress').length === 1, 'every kind present');
  t.equal(deployment.apiVersion, 'apps/v1');
  t.equal(pdb.apiVersion, 'policy/v1');
  t.ok(deployment.spec.replicas >= 2, 'at least two replicas');
  t.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0, 'rolling update keeps capacity');
  const labels = deployment.spec.template.metadata.labels;
  t.same(deployment.spec.selector.matchLabels, labels);
  t.same(service.spec.selector, labels, 'Service selects the pods');
  t.same(pdb.spec.selector.matchLabels, labels, 'PDB selects the pods');
  t.ok(pdb.spec.minAvailable >= 1 && pdb.spec.minAvailable < deployment.spec.replicas, 'PDB allows a drain but never the last pod');
  const c = deployment.spec.template.spec.containers[0];
  const portNames = c.ports.map((p: any) => p.name);
  t.equal(c.readinessProbe.httpGet.path, '/readyz');
  t.equal(c.livenessProbe.httpGet.path, '/healthz');
  t.ok(portNames.includes(c.readinessProbe.httpGet.port) && portNames.includes(c.livenessProbe.httpGet.port), 'probes use a declared port');
  t.ok(portNames.includes(service.spec.ports[0].targetPort), 'Service targets a declared port');
  t.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, 'resource requests and a memory limit');
  t.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
  t.same(
    c.envFrom.map((e: any) => e.configMapRef?.name ?? e.secretRef?.name),
    [configMap.metadata.name, secret.metadata.name],
    'settings come from the ConfigMap and the Secret',
  );
  const metricsPort = c.ports.find((p: any) => p.name === 'metrics').containerPort;
  t.equal(String(metricsPort), configMap.data.METRICS_PORT, 'the metrics port is the one configured');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...configMap.data, ...secret.stringData } as Record<string, string>)) {
    if (k.endsWith('.json')) continue; // files mounted as volumes
    t.ok(ENV_NAMES.includes(k), `${k} is a setting the service reads`);
    env[k] = v;
  }
  const mount = c.volumeMounts.find((m: any) => m.name === 'issuers').mountPath;
  t.equal(env.AUTH_ISSUERS_FILE, `${mount}/issuers.json`, 'the issuers file is where the ConfigMap mounts it');
  t.ok(JSON.parse(configMap.data['issuers.json']).length >= 1, 'issuers.json is JSON');
  const config = loadConfig({ ...env, AUTH_ISSUERS_FILE: issuersFile() });
  t.equal(config.DATABASE_URL?.startsWith('postgres://'), true);
  t.equal(config.production, true);
});
