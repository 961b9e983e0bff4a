{{/*
Helpers shared by every template. Each template loops over .Values.services and calls these with
the context (dict "root" $ "name" <service name> "svc" <service values>).
*/}}

{{/* Chart label value. */}}
{{- define "storytelling.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object name of a service: <global.namePrefix><service>. */}}
{{- define "storytelling.fullname" -}}
{{- printf "%s%s" (.root.Values.global.namePrefix | default "") .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select a service's server pods (Deployment, Service, PDB, HPA target). */}}
{{- define "storytelling.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{/* Image tag of a service. */}}
{{- define "storytelling.imageTag" -}}
{{- .svc.image.tag | default .root.Values.global.image.tag | default .root.Chart.AppVersion -}}
{{- end -}}

{{/* Labels on every object of a service; "component" is server or migration. */}}
{{- define "storytelling.labels" -}}
helm.sh/chart: {{ include "storytelling.chart" .root }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: storytelling
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ include "storytelling.imageTag" . | trunc 63 | quote }}
{{- end -}}

{{/*
Pod labels read by k8s/network-policies.yaml: which traffic a pod may send or receive.
Migration Job pods (context key "migration") serve nothing, so they are never grpc or public.
*/}}
{{- define "storytelling.policyLabels" -}}
{{- $serves := not .migration -}}
storytelling.io/grpc: {{ ternary "true" "false" (and $serves (hasKey .svc.ports "grpc")) | quote }}
storytelling.io/database: {{ ternary "true" "false" (not (empty .svc.database)) | quote }}
storytelling.io/kafka: {{ ternary "true" "false" (.svc.kafka | default false) | quote }}
storytelling.io/public: {{ ternary "true" "false" (and $serves (.svc.public | default false)) | quote }}
{{- end -}}

{{/* Full image reference of a service. */}}
{{- define "storytelling.image" -}}
{{- $repo := .svc.image.repository | default (printf "%s/%s" (.root.Values.global.image.registry | trimSuffix "/") .name | trimPrefix "/") -}}
{{- if .svc.image.digest -}}
{{- printf "%s@%s" $repo .svc.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (include "storytelling.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/*
Plain (non-secret) environment of a service as a YAML map: the ConfigMap's data, and the migration
Job's env (a pre-install hook cannot read a ConfigMap that the release has not created yet).
*/}}
{{- define "storytelling.configEnv" -}}
{{- $g := .root.Values.global -}}
{{- $env := dict -}}
{{- $_ := set $env "HOST" "0.0.0.0" -}}
{{- $_ := set $env "HTTP_PORT" (toString .svc.ports.http) -}}
{{- if hasKey .svc.ports "grpc" -}}
{{- $_ := set $env "GRPC_PORT" (toString .svc.ports.grpc) -}}
{{- end -}}
{{- $_ := set $env "KAFKA_BROKERS" $g.kafka.brokers -}}
{{- $_ := set $env "KAFKA_TOPIC_PREFIX" ($g.kafka.topicPrefix | default "") -}}
{{- with $g.kafka.replicationFactor }}{{ $_ := set $env "KAFKA_REPLICATION_FACTOR" (toString .) }}{{ end -}}
{{- with $g.kafka.topicPartitions }}{{ $_ := set $env "KAFKA_TOPIC_PARTITIONS" (toString .) }}{{ end -}}
{{- $_ := set $env "LOG_LEVEL" (.svc.logLevel | default $g.logLevel) -}}
{{- $_ := set $env "GRPC_DEADLINE_MS" (toString $g.grpcDeadlineMs) -}}
{{- if .svc.database -}}
{{- $_ := set $env "DATABASE_SCHEMA" .svc.database.schema -}}
{{- with $g.retention -}}
{{- $_ := set $env "OUTBOX_RETENTION_MS" (toString (int64 .outboxMs)) -}}
{{- $_ := set $env "INBOX_RETENTION_MS" (toString (int64 .inboxMs)) -}}
{{- $_ := set $env "SAGA_RETENTION_MS" (toString (int64 .sagaMs)) -}}
{{- $_ := set $env "RETENTION_SWEEP_INTERVAL_MS" (toString (int64 .sweepIntervalMs)) -}}
{{- $_ := set $env "RETENTION_BATCH_SIZE" (toString (int64 .batchSize)) -}}
{{- end -}}
{{- end -}}
{{- range $peer := .svc.peers | default list -}}
{{- $p := index $.root.Values.services $peer | default dict -}}
{{- if not (and $p $p.enabled (hasKey ($p.ports | default dict) "grpc")) -}}
{{- fail (printf "services.%s.peers lists %q, which is not an enabled service with a grpc port" $.name $peer) -}}
{{- end -}}
{{- $host := include "storytelling.fullname" (dict "root" $.root "name" $peer) -}}
{{- $_ := set $env (printf "%s_GRPC_URL" ($peer | upper | replace "-" "_")) (printf "%s:%v" $host $p.ports.grpc) -}}
{{- end -}}
{{- range $f := .svc.secretFiles | default list -}}
{{- if $f.env -}}
{{- $_ := set $env $f.env (printf "%s/%s" ($f.mountPath | trimSuffix "/") $f.key) -}}
{{- end -}}
{{- end -}}
{{- with .root.Values.monitoring.tracing.otlpEndpoint -}}
{{- $_ := set $env "OTEL_TRACES_EXPORTER" "otlp" -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" . -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_PROTOCOL" $.root.Values.monitoring.tracing.protocol -}}
{{- $_ := set $env "OTEL_SERVICE_NAME" $.name -}}
{{- end -}}
{{- range $k, $v := $g.env | default dict -}}
{{- $_ := set $env $k (toString $v) -}}
{{- end -}}
{{- range $k, $v := .svc.env | default dict -}}
{{- $_ := set $env $k (toString $v) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* Query string of DATABASE_URL. */}}
{{- define "storytelling.databaseParams" -}}
{{- $tls := .root.Values.global.database.tls -}}
{{- if $tls.enabled -}}
?sslmode=verify-full&sslrootcert=/var/run/secrets/storytelling/db-ca/{{ $tls.caKey }}
{{- end -}}
{{- end -}}

{{/*
Secret-backed env entries: DATABASE_PASSWORD first, then DATABASE_URL that embeds it with
Kubernetes dependent-variable expansion, then secretEnv. The password must be URL-safe.
*/}}
{{- define "storytelling.secretEnv" -}}
{{- $g := .root.Values.global -}}
{{- if .svc.database }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .svc.database.passwordSecret.name }}
      key: {{ .svc.database.passwordSecret.key | default "password" }}
- name: DATABASE_URL
  value: {{ printf "postgres://%s:$(DATABASE_PASSWORD)@%s:%v/%s%s" (.svc.database.user | default .svc.database.schema) $g.database.host $g.database.port $g.database.name (include "storytelling.databaseParams" .) | quote }}
{{- end }}
{{- range $name, $ref := .svc.secretEnv | default dict }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.secretName }}
      key: {{ $ref.key }}
      {{- if $ref.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* Volumes: a writable /tmp (64Mi unless tmpSizeLimit says more), secret files, the database CA. */}}
{{- define "storytelling.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .svc.tmpSizeLimit | default "64Mi" }}
{{- range $f := .svc.secretFiles | default list }}
- name: {{ $f.name }}
  secret:
    secretName: {{ $f.secretName }}
    defaultMode: 0440
    items:
      - key: {{ $f.key }}
        path: {{ $f.key }}
{{- end }}
{{- if and .svc.database .root.Values.global.database.tls.enabled }}
- name: db-ca
  secret:
    secretName: {{ .root.Values.global.database.tls.caSecret }}
    defaultMode: 0444
    items:
      - key: {{ .root.Values.global.database.tls.caKey }}
        path: {{ .root.Values.global.database.tls.caKey }}
{{- end }}
{{- end -}}

{{- define "storytelling.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- range $f := .svc.secretFiles | default list }}
- name: {{ $f.name }}
  mountPath: {{ $f.mountPath }}
  readOnly: true
{{- end }}
{{- if and .svc.database .root.Values.global.database.tls.enabled }}
- name: db-ca
  mountPath: /var/run/secrets/storytelling/db-ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* Pod-level and container-level security contexts (Pod Security "restricted"). */}}
{{- define "storytelling.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .root.Values.global.runAsUser }}
runAsGroup: {{ .root.Values.global.runAsGroup }}
fsGroup: {{ .root.Values.global.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "storytelling.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .root.Values.global.runAsUser }}
runAsGroup: {{ .root.Values.global.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "storytelling.imagePullSecrets" -}}
{{- with .root.Values.global.image.pullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}
