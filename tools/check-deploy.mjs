// Validates every manifest in deploy/ against its schema: Kubernetes' own (kubernetes-models),
// Strimzi's KafkaTopic and KEDA's ScaledObject, and Prometheus alert rules for their shape.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './stack/profiles.mjs';

const MODELS = {
  'apps/v1/Deployment': () => import('kubernetes-models/apps/v1/Deployment').then((m) => m.Deployment),
  'policy/v1/PodDisruptionBudget': () => import('kubernetes-models/policy/v1/PodDisruptionBudget').then((m) => m.PodDisruptionBudget),
  'v1/Service': () => import('kubernetes-models/v1/Service').then((m) => m.Service),
  'v1/ConfigMap': () => import('kubernetes-models/v1/ConfigMap').then((m) => m.ConfigMap),
  'v1/Secret': () => import('kubernetes-models/v1/Secret').then((m) => m.Secret),
  'kafka.strimzi.io/v1beta2/KafkaTopic': () => import('@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaTopic').then((m) => m.KafkaTopic),
  'keda.sh/v1alpha1/ScaledObject': () => import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject').then((m) => m.ScaledObject),
};

const problems = [];
let checked = 0;
const dir = join(ROOT, 'deploy', 'k8s');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
  for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
    const object = doc.toJS();
    if (!object) continue;
    const key = `${object.apiVersion}/${object.kind}`;
    const load = MODELS[key];
    if (!load) {
      problems.push(`${file}: no schema for ${key}`);
      continue;
    }
    const Model = await load();
    try {
      new Model(object).validate();
      checked++;
    } catch (error) {
      problems.push(`${file}: ${key} ${object.metadata?.name}: ${error.message}`);
    }
  }
}
const alerts = parseAllDocuments(readFileSync(join(ROOT, 'deploy', 'prometheus', 'alerts.yaml'), 'utf8'))[0].toJS();
for (const group of alerts.groups ?? []) {
  for (const rule of group.rules ?? []) {
    if (!rule.alert || !rule.expr || !rule.annotations?.runbook) problems.push(`alerts.yaml: rule ${rule.alert ?? '?'} needs alert, expr and a runbook`);
    else if (!readdirSync(join(ROOT, 'docs', 'runbooks')).includes(rule.annotations.runbook.split('/').pop()))
      problems.push(`alerts.yaml: ${rule.alert} names a missing runbook ${rule.annotations.runbook}`);
    else checked++;
  }
}
if (problems.length > 0) {
  console.error(`deploy/ does not validate:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`deploy/: ${checked} manifests and rules valid`);
