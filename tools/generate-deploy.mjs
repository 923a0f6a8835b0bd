// Writes deploy/k8s/ from the services' own configuration schemas, so the manifests always
// name the variables the code reads: secret variables come from the Secret "sms-gateway",
// the rest from the ConfigMap "sms-gateway" or the defaults in the code.
// `--check` fails when a committed manifest is stale.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ROOT, SERVICES } from './stack/profiles.mjs';

const check = process.argv.includes('--check');
const { TOPIC_LIST } = await import(join(ROOT, 'libs', 'contracts', 'dist', 'index.js'));
/** The Strimzi cluster the topics belong to, and how KEDA reaches it. */
const KAFKA_CLUSTER = 'sms-gateway';
const BOOTSTRAP = `${KAFKA_CLUSTER}-kafka-bootstrap:9092`;
const PORTS = { intake: 3000, consent: 3001, 'content-screening': 3002, 'snowshoeing-detector': 3003, dispatcher: 3004, audit: 3005 };
const PUBLIC = new Set(['intake', 'consent', 'audit']);
const isSpec = (v) => typeof v === 'object' && v !== null && Object.values(v).length > 0 && Object.values(v).every((x) => x && typeof x === 'object' && 'schema' in x && 'description' in x);
const envName = (name) => name.toLowerCase().replace(/_/g, '-');

const files = new Map();
const configKeys = new Set();
const secretKeys = new Set();
for (const service of SERVICES) {
  const module = await import(join(ROOT, 'apps', service, 'dist', 'config.js'));
  const spec = Object.values(module).find(isSpec);
  const env = [];
  for (const [name, variable] of Object.entries(spec)) {
    if (name === 'HTTP_HOST') env.push({ name, value: '0.0.0.0' });
    else if (name === 'HTTP_PORT') env.push({ name, value: String(PORTS[service]) });
    else if (variable.secret) {
      secretKeys.add(name);
      env.push({ name, valueFrom: { secretKeyRef: { name: 'sms-gateway', key: envName(name), optional: variable.schema.safeParse(undefined).success } } });
    } else {
      configKeys.add(name);
      env.push({ name, valueFrom: { configMapKeyRef: { name: 'sms-gateway', key: envName(name), optional: variable.schema.safeParse(undefined).success } } });
    }
  }
  const labels = { 'app.kubernetes.io/name': service, 'app.kubernetes.io/part-of': 'sms-gateway' };
  const probe = (path, period) => ({ httpGet: { path, port: 'http' }, periodSeconds: period, timeoutSeconds: 2, failureThreshold: 3 });
  const docs = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': service } },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 45,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: service,
                image: 'sms-gateway:latest',
                env: [{ name: 'SERVICE', value: service }, ...env],
                ports: [{ name: 'http', containerPort: PORTS[service] }],
                startupProbe: { ...probe('/health', 2), failureThreshold: 60 },
                readinessProbe: probe('/health', 5),
                livenessProbe: { ...probe('/health/live', 10), failureThreshold: 6 },
                resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: service, labels }, spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': service } } } },
    // Scale on consumer lag: one trigger per topic the service consumes (its group is <service>.<topic>).
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: service, labels },
      spec: {
        scaleTargetRef: { name: service },
        minReplicaCount: 2,
        // More instances than partitions would sit idle: every pipeline topic has 6.
        maxReplicaCount: Math.max(...TOPIC_LIST.filter((t) => t.consumers.includes(service)).map((t) => t.partitions), 2),
        cooldownPeriod: 300,
        triggers: TOPIC_LIST.filter((t) => t.consumers.includes(service) && t.cleanupPolicy === 'delete').map((t) => ({
          type: 'kafka',
          metadata: { bootstrapServers: BOOTSTRAP, consumerGroup: `${service}.${t.name}`, topic: t.name, lagThreshold: '1000', offsetResetPolicy: 'earliest' },
        })),
      },
    },
    ...(PUBLIC.has(service)
      ? [{ apiVersion: 'v1', kind: 'Service', metadata: { name: service, labels }, spec: { selector: { 'app.kubernetes.io/name': service }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }]
      : []),
  ];
  files.set(
    `deploy/k8s/${service}.yaml`,
    `# Generated by tools/generate-deploy.mjs from apps/${service}/src/config.ts; do not edit by hand.\n${docs.map((d) => stringify(d, { aliasDuplicateObjects: false })).join('---\n')}`,
  );
}
files.set(
  'deploy/k8s/config.example.yaml',
  `# Generated by tools/generate-deploy.mjs. Copy, fill in, and apply before the services.\n${stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'sms-gateway' },
    data: Object.fromEntries([...configKeys].sort().map((k) => [envName(k), ''])),
  })}---\n${stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sms-gateway' }, type: 'Opaque', stringData: Object.fromEntries([...secretKeys].sort().map((k) => [envName(k), ''])) })}`,
);
files.set(
  'deploy/k8s/topics.yaml',
  `# Generated by tools/generate-deploy.mjs from the topic catalogue (libs/contracts/src/topics.ts).\n${TOPIC_LIST.map((t) =>
    stringify({
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: { name: t.name, labels: { 'strimzi.io/cluster': KAFKA_CLUSTER, 'app.kubernetes.io/part-of': 'sms-gateway' } },
      spec: {
        topicName: t.name,
        partitions: t.partitions,
        replicas: 3,
        config: { 'cleanup.policy': t.cleanupPolicy, 'min.insync.replicas': '2', ...(t.retentionMs !== undefined ? { 'retention.ms': String(t.retentionMs) } : {}) },
      },
    }),
  ).join('---\n')}`,
);
files.set(
  'deploy/k8s/kustomization.yaml',
  `# Generated by tools/generate-deploy.mjs.\n${stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['topics.yaml', ...SERVICES.map((s) => `${s}.yaml`)] })}`,
);

const stale = [];
for (const [path, content] of files) {
  const target = join(ROOT, path);
  if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
  if (check) stale.push(path);
  else {
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, content);
  }
}
if (stale.length > 0) {
  console.error(`deploy/k8s is stale; run \`npm run deploy:generate\` and commit:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(check ? 'deploy/k8s is up to date' : `wrote ${files.size} manifests`);
