// Validates deploy/k8s offline: every manifest against the Kubernetes
// OpenAPI schema (npm kubernetes-models), then what a schema cannot see:
// the selectors meet, the probes are native gRPC on the --health_listen
// port, certificates and the database come from Secrets, and every
// container has requests and limits.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import YAML from 'yaml';

const K8S_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'k8s');

// Every object of every manifest (kustomization.yaml is kustomize's, not the API's).
function loadManifests() {
  const objects = [];
  for (const file of fs.readdirSync(K8S_DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(K8S_DIR, file), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${file} is not valid YAML`);
      objects.push({ file, object: doc.toJS() });
    }
  }
  return objects;
}

// The kubernetes-models class for an apiVersion and kind: core "v1" is
// kubernetes-models/v1/Kind, others GROUP/VERSION/Kind.
async function modelClass(apiVersion, kind) {
  const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
  return module[kind];
}

const manifests = loadManifests();
const byKind = (kind) => manifests.filter((m) => m.object.kind === kind).map((m) => m.object);

test('every manifest validates against the Kubernetes schema', async () => {
  assert.ok(manifests.length >= 4, `expected at least 4 objects in ${K8S_DIR}`);
  for (const { file, object } of manifests) {
    const Model = await modelClass(object.apiVersion, object.kind);
    assert.doesNotThrow(() => new Model(object).validate(), `${file}: ${object.kind} ${object.metadata?.name}`);
  }
});

test('kustomization lists every manifest', () => {
  const kustomization = YAML.parse(fs.readFileSync(path.join(K8S_DIR, 'kustomization.yaml'), 'utf8'));
  const files = [...new Set(manifests.map((m) => m.file))].sort();
  assert.deepEqual([...kustomization.resources].sort(), files);
});

test('the validator rejects a broken manifest', async () => {
  const Deployment = await modelClass('apps/v1', 'Deployment');
  const broken = structuredClone(byKind('Deployment')[0]);
  broken.spec.replicas = 'three';
  assert.throws(() => new Deployment(broken).validate());
  const Probeless = structuredClone(byKind('Deployment')[0]);
  Probeless.spec.template.spec.containers[0].livenessProbe.grpc.port = 'health';  // grpc probes take a number
  assert.throws(() => new Deployment(Probeless).validate());
});

test('the Deployment runs several replicas with gRPC probes on the health port', () => {
  const [deployment] = byKind('Deployment');
  assert.ok(deployment.spec.replicas >= 2, 'several replicas');
  const [container] = deployment.spec.template.spec.containers;
  const healthArg = container.args.find((a) => a.startsWith('--health_listen='));
  assert.ok(healthArg, 'ethrecd is given --health_listen');
  const healthPort = Number(healthArg.split(':').pop());
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    assert.equal(container[probe]?.grpc?.port, healthPort, `${probe} is a native gRPC probe on ${healthPort}`);
  }
  for (const kind of ['requests', 'limits']) {
    assert.ok(container.resources[kind].cpu && container.resources[kind].memory, `resources.${kind}`);
  }
  const pod = deployment.spec.template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
});

test('certificates and the database come from Secrets', () => {
  const [deployment] = byKind('Deployment');
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const tlsVolume = pod.volumes.find((v) => v.secret);
  assert.ok(tlsVolume, 'a Secret volume');
  const mount = container.volumeMounts.find((m) => m.name === tlsVolume.name);
  assert.equal(mount.readOnly, true);
  for (const flag of ['--tls_cert=', '--tls_key=', '--tls_client_ca=']) {
    const arg = container.args.find((a) => a.startsWith(flag));
    assert.ok(arg && arg.slice(flag.length).startsWith(mount.mountPath + '/'), `${flag} reads the Secret volume`);
  }
  const dbArg = container.args.find((a) => a.startsWith('--db='));
  const envName = /^--db=\$\((\w+)\)$/.exec(dbArg)?.[1];
  const env = container.env.find((e) => e.name === envName);
  assert.ok(env?.valueFrom?.secretKeyRef, '--db comes from a Secret');
});

test('the Service, PodDisruptionBudget and NetworkPolicy select the Deployment pods', () => {
  const [deployment] = byKind('Deployment');
  const labels = deployment.spec.template.metadata.labels;
  const matches = (selector) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  const [service] = byKind('Service');
  assert.ok(matches(service.spec.selector));
  const portNames = deployment.spec.template.spec.containers[0].ports.map((p) => p.name);
  for (const port of service.spec.ports) assert.ok(portNames.includes(port.targetPort), port.targetPort);
  assert.ok(!service.spec.ports.some((p) => p.targetPort === 'health'), 'the health port is not exposed');
  const [pdb] = byKind('PodDisruptionBudget');
  assert.ok(matches(pdb.spec.selector.matchLabels));
  assert.ok(pdb.spec.minAvailable < deployment.spec.replicas, 'a drain can still evict a pod');
  const [policy] = byKind('NetworkPolicy');
  assert.ok(matches(policy.spec.podSelector.matchLabels));
  assert.deepEqual([...policy.spec.policyTypes].sort(), ['Egress', 'Ingress']);
});
