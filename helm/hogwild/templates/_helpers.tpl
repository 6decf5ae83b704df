{{/*
Name helpers. Object names are "<fullname>-<component>"; fullname defaults to the release name
so that the orchestrator is reachable at http://<release>-orchestrator:8081. It is cut to 40
characters so that the longest suffix ("-orchestrator", "-redis-headless") keeps names valid.
*/}}
{{- define "hogwild.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hogwild.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- end }}

{{- define "hogwild.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every object. */}}
{{- define "hogwild.labels" -}}
helm.sh/chart: {{ include "hogwild.chart" . }}
{{ include "hogwild.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hogwild
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "hogwild.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hogwild.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of one component. Call with (dict "ctx" $ "component" "gateway").
*/}}
{{- define "hogwild.componentLabels" -}}
{{ include "hogwild.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "hogwild.componentSelectorLabels" -}}
{{ include "hogwild.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Image reference of a hogwild service. Call with (dict "ctx" $ "image" .Values.gateway.image).
The tag falls back to image.tag, then to the chart's appVersion.
*/}}
{{- define "hogwild.image" -}}
{{- $tag := .image.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion -}}
{{- $repo := .image.repository -}}
{{- with .ctx.Values.image.registry -}}
{{- $repo = printf "%s/%s" (trimSuffix "/" .) $repo -}}
{{- end -}}
{{- printf "%s:%s" $repo (toString $tag) -}}
{{- end }}

{{- define "hogwild.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hogwild.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" when the chart runs its own Redis (no external URL nor Secret given). */}}
{{- define "hogwild.redis.internal" -}}
{{- if and (not .Values.redis.external.url) (not .Values.redis.external.existingSecret) }}true{{ end }}
{{- end }}

{{/*
Redis URL written to the ConfigMaps. Credentials never go there: a URL with a user or password
must come through redis.external.existingSecret.
*/}}
{{- define "hogwild.redis.url" -}}
{{- if .Values.redis.external.url }}
{{- if contains "@" .Values.redis.external.url }}
{{- fail "redis.external.url must not carry credentials: put the full URL in a Secret and set redis.external.existingSecret" }}
{{- end }}
{{- .Values.redis.external.url }}
{{- else }}
{{- printf "redis://%s-redis:%d" (include "hogwild.fullname" .) (int .Values.redis.port) }}
{{- end }}
{{- end }}

{{/*
Env entries for Redis; only rendered when the URL comes from an existing Secret (it then
overrides the ConfigMap, which holds no URL in that case).
*/}}
{{- define "hogwild.redis.secretEnv" -}}
{{- if .Values.redis.external.existingSecret }}
- name: SPRING_DATA_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.external.existingSecret }}
      key: {{ .Values.redis.external.existingSecretKey }}
{{- end }}
{{- end }}

{{/* Name of the Secret with the API key files. */}}
{{- define "hogwild.apiKeys.secretName" -}}
{{- default (printf "%s-api-keys" (include "hogwild.fullname" .)) .Values.apiKeys.existingSecret }}
{{- end }}

{{/* Name of the Secret with the service credential. */}}
{{- define "hogwild.internalToken.secretName" -}}
{{- default (printf "%s-internal-token" (include "hogwild.fullname" .)) .Values.internalToken.existingSecret }}
{{- end }}

{{/* The service credential as an env entry (every service gets it; none logs it). */}}
{{- define "hogwild.internalToken.env" -}}
- name: HOGWILD_INTERNAL_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "hogwild.internalToken.secretName" . }}
      key: {{ .Values.internalToken.secretKey }}
{{- end }}

{{/*
Paths of the internal services open without the service credential besides the health probes:
the metrics, when pods carry Prometheus scrape annotations (annotation-based scraping sends no
credential; the NetworkPolicies still limit who reaches the port).
*/}}
{{- define "hogwild.internalOpenPaths" -}}
{{- if .Values.management.prometheusAnnotations }}
HOGWILD_INTERNAL_OPENPATHS: "/actuator/prometheus"
{{- end }}
{{- end }}

{{- define "hogwild.orchestrator.url" -}}
{{- printf "http://%s-orchestrator:%d" (include "hogwild.fullname" .) (int .Values.orchestrator.service.port) }}
{{- end }}

{{/*
Env keys every service gets through its ConfigMap.
Call with (dict "ctx" $ "svc" .Values.gateway).
*/}}
{{- define "hogwild.commonConfig" -}}
SERVER_PORT: {{ .svc.port | quote }}
{{- if not .ctx.Values.redis.external.existingSecret }}
SPRING_DATA_REDIS_URL: {{ include "hogwild.redis.url" .ctx | quote }}
{{- end }}
MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE: {{ .ctx.Values.management.exposure | quote }}
MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: "true"
MANAGEMENT_HEALTH_LIVENESSSTATE_ENABLED: "true"
MANAGEMENT_HEALTH_READINESSSTATE_ENABLED: "true"
JAVA_TOOL_OPTIONS: {{ .svc.javaOpts | quote }}
{{- with .svc.extraConfig }}
SPRING_APPLICATION_JSON: {{ toJson . | quote }}
{{- end }}
{{- end }}

{{/*
Probes on the actuator health groups, all on the service port ("http").
Call with (dict "probes" .Values.gateway.probes).
*/}}
{{- define "hogwild.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .probes.startup.periodSeconds }}
  failureThreshold: {{ .probes.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: {{ .probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .probes.readiness.failureThreshold }}
{{- end }}

{{/*
Pod annotations: Prometheus scrape hints plus the given extra annotations.
Call with (dict "ctx" $ "port" 8080 "extra" .Values.gateway.podAnnotations).
*/}}
{{- define "hogwild.metricsAnnotations" -}}
{{- if .ctx.Values.management.prometheusAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /actuator/prometheus
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Lines of an API key file: "<name>:<sha256-hex>". Refuses anything that is not a SHA-256 digest,
so that a plaintext key can never end up in the cluster by mistake.
Call with (dict "keys" .Values.apiKeys.users "what" "apiKeys.users").
*/}}
{{- define "hogwild.apiKeys.file" -}}
{{- range $i, $k := .keys }}
{{- if not (regexMatch "^[A-Za-z0-9._-]{1,64}$" (toString $k.name)) }}
{{- fail (printf "%s[%d].name must be 1-64 characters of [A-Za-z0-9._-]" $.what $i) }}
{{- end }}
{{- if not (regexMatch "^[0-9a-f]{64}$" (toString $k.sha256)) }}
{{- fail (printf "%s[%d].sha256 must be the lowercase hex SHA-256 of the key (printf '%%s' \"$KEY\" | sha256sum), never the key itself" $.what $i) }}
{{- end }}
{{ $k.name }}:{{ $k.sha256 }}
{{- end }}
{{- end }}
