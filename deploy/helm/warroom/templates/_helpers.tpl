{{/* The objects' name: the release's, with "warroom" added unless it already says it. */}}
{{- define "warroom.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that pick this release's pods; never change them on upgrade (a Deployment's selector is immutable). */}}
{{- define "warroom.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "warroom.labels" -}}
{{ include "warroom.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "warroom.secretName" -}}
{{- .Values.existingSecret | default (include "warroom.fullname" .) -}}
{{- end -}}

{{- define "warroom.claimName" -}}
{{- .Values.database.sqlite.existingClaim | default (printf "%s-data" (include "warroom.fullname" .)) -}}
{{- end -}}

{{/* Refusals the schema cannot word as plainly. */}}
{{- define "warroom.validate" -}}
{{- if and (eq .Values.database.engine "sqlite") (ne (int .Values.replicas) 1) -}}
{{- fail (printf "database.engine sqlite allows exactly one replica (replicas is %v): one warroom runs per SQLite file. Use PostgreSQL for more." .Values.replicas) -}}
{{- end -}}
{{- if and .Values.existingSecret .Values.secret -}}
{{- fail "set either existingSecret (a Secret you made) or secret (values the chart makes a Secret from), not both" -}}
{{- end -}}
{{- end -}}
