from django.urls import path

from .views import audit, dashboard, health

app_name = "ops"
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("ops/", dashboard.ops_page, name="dashboard"),
    path("ops/live", dashboard.ops_live, name="live"),
    path("ops/audit/", audit.all_audit, name="audit"),
    path("ops/audit.csv", audit.all_audit_csv, name="audit_csv"),
    path("teams/<slug:slug>/audit/", audit.team_audit, name="team_audit"),
    path("teams/<slug:slug>/audit.csv", audit.team_audit_csv, name="team_audit_csv"),
]
