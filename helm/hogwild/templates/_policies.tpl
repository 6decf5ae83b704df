{{/*
HorizontalPodAutoscaler (autoscaling/v2) of one Deployment.
Call with (dict "ctx" $ "component" "gateway" "svc" .Values.gateway).
*/}}
{{- define "hogwild.hpa" -}}
{{- $a := .svc.autoscaling -}}
{{- if $a.enabled }}
{{- if lt (int $a.maxReplicas) (int $a.minReplicas) }}
{{- fail (printf "%s.autoscaling.maxReplicas must not be below minReplicas" .component) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "hogwild.fullname" .ctx }}-{{ .component }}
  labels:
    {{- include "hogwild.componentLabels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "hogwild.fullname" .ctx }}-{{ .component }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    {{- with $a.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
    {{- with $a.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
{{- end }}
{{- end }}

{{/*
PodDisruptionBudget of one component: minAvailable when set, otherwise maxUnavailable.
Call with (dict "ctx" $ "component" "gateway" "svc" .Values.gateway).
*/}}
{{- define "hogwild.pdb" -}}
{{- $p := .svc.podDisruptionBudget -}}
{{- if $p.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "hogwild.fullname" .ctx }}-{{ .component }}
  labels:
    {{- include "hogwild.componentLabels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" $p.minAvailable) }}
  minAvailable: {{ $p.minAvailable }}
  {{- else if not (kindIs "invalid" $p.maxUnavailable) }}
  maxUnavailable: {{ $p.maxUnavailable }}
  {{- else }}
  {{- fail (printf "%s.podDisruptionBudget needs minAvailable or maxUnavailable" .component) }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "hogwild.componentSelectorLabels" (dict "ctx" .ctx "component" .component) | nindent 6 }}
{{- end }}
{{- end }}

{{/*
A NetworkPolicyPeer selecting the pods of one component of this release.
Call with (dict "ctx" $ "component" "orchestrator").
*/}}
{{- define "hogwild.peer" -}}
- podSelector:
    matchLabels:
      {{- include "hogwild.componentSelectorLabels" . | nindent 6 }}
{{- end }}
