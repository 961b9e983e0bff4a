// deploy-check --self-test: proves each validator can fail. Every case feeds a deliberately broken
// input (mostly a mutated copy of the real file) to the same validator the real check uses and
// asserts that it is rejected with the expected message. A case whose input passes is a failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUBE_VERSIONS, PINS } from './tools.mjs';
import { checkCompose, checkDockerfiles, checkPlatform, checkSkaffold, checkValues } from './checks.mjs';
import { checkObservability } from './observability.mjs';

const clone = (v) => structuredClone(v);

export async function selfTest({ root, fleet, runners, inputs }) {
  const r = runners;
  const cases = [
    {
      name: 'kubectl-validate rejects a Deployment with an unknown field',
      expect: /replicaz/,
      async run() {
        const good = `apiVersion: apps/v1
kind: Deployment
metadata: {name: probe}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: "x:1"}]
`;
        const control = await r.kubectlValidate([r.tmpFile('good-deployment.yaml', good)], KUBE_VERSIONS[0]);
        if (!control.ok) return ['CONTROL FAILED: a valid Deployment was rejected: ' + control.failures.join('; ')];
        const bad = good.replace('spec:\n  selector', 'spec:\n  replicaz: 2\n  selector');
        return (await r.kubectlValidate([r.tmpFile('bad-deployment.yaml', bad)], KUBE_VERSIONS[0])).failures;
      },
    },
    {
      name: 'kubectl-validate rejects a Strimzi KafkaTopic against the generated CRD',
      expect: /partitions/,
      async run() {
        const text = readFileSync(join(root, 'k8s/kafka.yaml'), 'utf8').replace('partitions: 6', 'partitions: six');
        return (await r.kubectlValidate([r.tmpFile('bad-kafka.yaml', text)], KUBE_VERSIONS[0])).failures;
      },
    },
    {
      name: 'kubectl-validate rejects a CloudNativePG Cluster against its CRD',
      expect: /ensure/,
      async run() {
        const text = readFileSync(join(root, 'k8s/postgres.yaml'), 'utf8').replace('ensure: present\n        comment', 'ensure: sometimes\n        comment');
        return (await r.kubectlValidate([r.tmpFile('bad-postgres.yaml', text)], KUBE_VERSIONS[0])).failures;
      },
    },
    {
      name: 'helm refuses values that break values.schema.json',
      expect: /replicaz|additional/i,
      async run() {
        const res = await r.helmTemplate(join(root, 'helm/storytelling'), [], ['--set', 'services.gateway.replicaz=3']);
        return res.ok ? [] : [res.error];
      },
    },
    {
      name: 'a fleet service missing from the helm values is reported',
      expect: /fleet service "gateway" has no entry/,
      async run() {
        const values = clone(inputs.values);
        delete values.services.gateway;
        return checkValues({ fleet, values });
      },
    },
    {
      name: 'compose-go rejects depends_on a service that does not exist',
      expect: /ghost/,
      async run() {
        const text = readFileSync(join(root, 'docker-compose.yaml'), 'utf8').replace(
          /(\n  gateway:\n[\s\S]*?\n    depends_on:\n)/,
          '$1      ghost:\n        condition: service_started\n',
        );
        const file = r.tmpFile('docker-compose.yaml', text);
        const res = await r.compose(file);
        return res.error ? [res.error] : [];
      },
    },
    {
      name: 'the compose checks report depends_on a missing service and a missing migrate service',
      expect: /depends_on "ghost"[\s\S]*no "identity-migrate" service/,
      async run() {
        const project = clone(inputs.composeProject);
        project.services.gateway.depends_on.ghost = { condition: 'service_started' };
        delete project.services['identity-migrate'];
        return checkCompose({ fleet, project, values: inputs.values });
      },
    },
    {
      name: 'BuildKit rejects a malformed Dockerfile',
      expect: /unknown instruction|parse|dockerfile/i,
      async run() {
        const text = inputs.dockerfiles.identity.text.replace('WORKDIR /app', 'WORKDIRR /app');
        const [res] = await r.dockerfiles([r.tmpFile('Dockerfile', text)]);
        return res.error ? [res.error] : res.warnings.map((w) => w.message);
      },
    },
    {
      name: 'a Dockerfile that runs as root with other ports is reported',
      expect: /(?=[\s\S]*non-root USER)(?=[\s\S]*exposes)/,
      async run() {
        const text = inputs.dockerfiles.identity.text.replace('USER 1000:1000', 'USER root').replace('ARG GRPC_PORT=7201', 'ARG GRPC_PORT=9999');
        const [lint] = await r.dockerfiles([r.tmpFile('Dockerfile', text)]);
        return checkDockerfiles({ fleet: { services: [fleet.services.find((s) => s.name === 'identity')] }, dockerfiles: { identity: { text, lint } } });
      },
    },
    {
      name: 'a Dockerfile on another Node major than local runs is reported',
      expect: /identity\/Dockerfile: ARG NODE_IMAGE=node:22\.[^ ]* is Node 22, local runs use Node /,
      async run() {
        const text = inputs.dockerfiles.identity.text.replace(/^ARG NODE_IMAGE=node:\d+/m, 'ARG NODE_IMAGE=node:22');
        if (text === inputs.dockerfiles.identity.text) return ['CONTROL FAILED: the identity Dockerfile has no ARG NODE_IMAGE=node:<major>… this case rewrites'];
        const [lint] = await r.dockerfiles([r.tmpFile('Dockerfile', text)]);
        return checkDockerfiles({ fleet: { services: [fleet.services.find((s) => s.name === 'identity')] }, dockerfiles: { identity: { text, lint } }, localNode: inputs.localNode });
      },
    },
    {
      name: 'a Dockerfile that differs outside the per-service ARG defaults is reported',
      expect: /narration\/Dockerfile: differs from services\/identity\/Dockerfile/,
      async run() {
        // The media step's apt cleanup dropped in one file only: the shape rule must still see it.
        const text = inputs.dockerfiles.narration.text.replace(' \\\n      && rm -rf /var/lib/apt/lists/*', '');
        if (text === inputs.dockerfiles.narration.text) return ['CONTROL FAILED: the media step no longer has the apt lists cleanup this case removes'];
        const [lint] = await r.dockerfiles([r.tmpFile('Dockerfile', text)]);
        const pick = ['identity', 'narration'];
        return checkDockerfiles({ fleet: { services: fleet.services.filter((s) => pick.includes(s.name)) }, dockerfiles: { identity: inputs.dockerfiles.identity, narration: { text, lint } } });
      },
    },
    {
      name: 'MEDIA_TOOLS set inside a stage instead of the global ARG defaults is reported',
      expect: /(?=[\s\S]*narration\/Dockerfile: differs)(?=[\s\S]*MEDIA_TOOLS must be true)/,
      async run() {
        const text = inputs.dockerfiles.narration.text.replace('ARG MEDIA_TOOLS=true\n', 'ARG MEDIA_TOOLS=\n').replace('ARG MEDIA_TOOLS\nRUN', 'ARG MEDIA_TOOLS=true\nRUN');
        const [lint] = await r.dockerfiles([r.tmpFile('Dockerfile', text)]);
        const pick = ['identity', 'narration'];
        return checkDockerfiles({
          fleet: { services: fleet.services.filter((s) => pick.includes(s.name)) },
          dockerfiles: { identity: inputs.dockerfiles.identity, narration: { text, lint } },
          mediaToolServices: inputs.mediaToolServices,
        });
      },
    },
    {
      name: "an image without the audio tools for a service that runs them, or with Piper pins other than media-tools.mjs's, is reported",
      expect: /(?=[\s\S]*MEDIA_TOOLS must be true)(?=[\s\S]*must pip install piper-tts==)/,
      async run() {
        const text = inputs.dockerfiles.narration.text.replace('ARG MEDIA_TOOLS=true', 'ARG MEDIA_TOOLS=').replace(/ piper-tts==\S+/, ' piper-tts==0.0.1');
        const [lint] = await r.dockerfiles([r.tmpFile('Dockerfile', text)]);
        return checkDockerfiles({
          fleet: { services: [fleet.services.find((s) => s.name === 'narration')] },
          dockerfiles: { narration: { text, lint } },
          mediaToolServices: inputs.mediaToolServices,
          piperRequirements: inputs.piperRequirements,
        });
      },
    },
    {
      name: `skaffold.yaml is checked against the skaffold ${PINS.skaffoldSchema} JSON schema`,
      expect: /artifactz|additional/i,
      async run() {
        const text = readFileSync(join(root, 'skaffold.yaml'), 'utf8').replace('  artifacts:', '  artifactz:');
        const res = await r.jsonschema(inputs.skaffoldSchema, [r.tmpFile('skaffold.yaml', text)]);
        return res.map((f) => f.error);
      },
    },
    {
      name: 'a fleet service without a skaffold artifact is reported',
      expect: /services\/gateway\/Dockerfile/,
      async run() {
        const skaffold = clone(inputs.skaffold);
        skaffold.build.artifacts = skaffold.build.artifacts.filter((a) => !a.docker.dockerfile.includes('gateway'));
        return checkSkaffold({ fleet, skaffold, exists: inputs.exists, apiVersion: `skaffold/${PINS.skaffoldSchema}` });
      },
    },
    {
      name: 'a service role missing from the CloudNativePG Cluster is reported',
      expect: /managed\.roles lacks "identity"/,
      async run() {
        const k8s = clone(inputs.k8s);
        const cluster = k8s['postgres.yaml'].find((o) => o.kind === 'Cluster');
        cluster.spec.managed.roles = [];
        return checkPlatform({ fleet, values: inputs.values, k8s, kustomizationFiles: inputs.kustomizationFiles, rendered: inputs.rendered });
      },
    },
    {
      name: 'a contract topic without a KafkaTopic, and an S3 service outside media-storage-egress, are reported',
      expect: /(?=[\s\S]*no KafkaTopic narration\.voice\.events)(?=[\s\S]*media-storage-egress does not select narration)/,
      async run() {
        const k8s = clone(inputs.k8s);
        k8s['kafka.yaml'] = k8s['kafka.yaml'].filter((o) => o.spec?.topicName !== 'narration.voice.events');
        const egress = k8s['network-policies.yaml'].find((o) => o.metadata?.name === 'media-storage-egress');
        for (const e of egress.spec.podSelector.matchExpressions ?? []) e.values = (e.values ?? []).filter((v) => v !== 'narration');
        return checkPlatform({ fleet, values: inputs.values, k8s, kustomizationFiles: inputs.kustomizationFiles, rendered: inputs.rendered, contractTopics: inputs.contractTopics });
      },
    },
    {
      name: "media store settings that differ between the gateway and narration, and a service token not keyed by its service, are reported",
      expect: /(?=[\s\S]*narration's media store settings differ from gateway's)(?=[\s\S]*SERVICE_TOKEN_SECRET must be key "narration")/,
      async run() {
        const values = clone(inputs.values);
        values.services.narration.env.S3_BUCKET = 'another-bucket';
        values.services.narration.secretEnv.SERVICE_TOKEN_SECRET = { secretName: 'storytelling-service-credentials', key: 'notification' };
        return checkValues({ fleet, values, mediaServices: inputs.mediaServices });
      },
    },
    {
      name: "compose: another media store for narration and its service-token hash missing from identity's list are reported",
      expect: /(?=[\s\S]*narration's media store settings differ)(?=[\s\S]*SERVICE_CREDENTIALS lacks narration:)/,
      async run() {
        const project = clone(inputs.composeProject);
        project.services.narration.environment.S3_ENDPOINT = 'http://elsewhere:9000';
        project.services.narration.environment.SERVICE_TOKEN_SECRET = 'a-secret-identity-does-not-know';
        return checkCompose({ fleet, project, values: inputs.values, mediaServices: inputs.mediaServices });
      },
    },
    {
      name: 'kubectl-validate rejects a ServiceMonitor against the prometheus-operator CRD',
      expect: /honorLabels/,
      async run() {
        const good = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: probe}
spec:
  selector: {matchLabels: {a: b}}
  endpoints:
    - {port: http, path: /metrics, honorLabels: true}
`;
        const control = await r.kubectlValidate([r.tmpFile('good-servicemonitor.yaml', good)], KUBE_VERSIONS[0]);
        if (!control.ok) return ['CONTROL FAILED: a valid ServiceMonitor was rejected: ' + control.failures.join('; ')];
        const bad = good.replace('honorLabels: true', 'honorLabels: sometimes');
        return (await r.kubectlValidate([r.tmpFile('bad-servicemonitor.yaml', bad)], KUBE_VERSIONS[0])).failures;
      },
    },
    {
      name: 'an alert on a metric no code registers, and an alert without a runbook entry, are reported',
      expect: /"made_up_metric_total", which no code registers[\s\S]*Unlisted has no runbook entry/,
      async run() {
        const objects = clone(inputs.renderedCheck);
        const rule = objects.find((o) => o?.kind === 'PrometheusRule');
        if (!rule) return ['CONTROL FAILED: ci/check-values.yaml renders no PrometheusRule'];
        const control = checkObservability({ values: inputs.valuesCheck, objects, label: 'self-test', registered: inputs.registered, operationsDoc: inputs.operationsDoc });
        if (control.length) return ['CONTROL FAILED: the real render is rejected: ' + control.join('; ')];
        const first = rule.spec.groups[0].rules[0];
        first.expr = `sum(rate(made_up_metric_total[5m])) > 0`;
        rule.spec.groups[0].rules.push({ ...clone(first), alert: 'Unlisted', expr: 'max(outbox_backlog) > 0', annotations: { runbook_url: `${inputs.valuesCheck.monitoring.runbookBaseUrl}#unlisted` } });
        return checkObservability({ values: inputs.valuesCheck, objects, label: 'self-test', registered: inputs.registered, operationsDoc: inputs.operationsDoc });
      },
    },
    {
      name: 'a dashboard panel on a metric no code registers is reported',
      expect: /panel "Outbox backlog" uses metric "outbox_backlogg"/,
      async run() {
        const objects = clone(inputs.renderedCheck);
        const cm = objects.find((o) => o?.kind === 'ConfigMap' && o.data?.['storytelling-fleet.json']);
        if (!cm) return ['CONTROL FAILED: ci/check-values.yaml renders no dashboard ConfigMap'];
        cm.data['storytelling-fleet.json'] = cm.data['storytelling-fleet.json'].replace('max by (service) (outbox_backlog)', 'max by (service) (outbox_backlogg)');
        return checkObservability({ values: inputs.valuesCheck, objects, label: 'self-test', registered: inputs.registered, operationsDoc: inputs.operationsDoc });
      },
    },
  ];

  const failed = [];
  for (const c of cases) {
    let problems;
    try {
      problems = await c.run();
    } catch (err) {
      failed.push(`${c.name}: the validator crashed: ${err.message}`);
      continue;
    }
    const text = problems.join('\n');
    if (problems.length === 0) failed.push(`${c.name}: the broken input was ACCEPTED`);
    else if (/CONTROL FAILED/.test(text)) failed.push(`${c.name}: ${text}`);
    else if (!c.expect.test(text)) failed.push(`${c.name}: rejected, but not for the expected reason (${c.expect}):\n      ${text.split('\n').slice(0, 3).join('\n      ')}`);
  }
  return { total: cases.length, failed };
}
