from django.urls import path

from .views import checks, create, history, jobs, live

app_name = "generation"
urlpatterns = [
    path("", create.new_job, name="new"),
    path("estimate", create.cost_estimate, name="estimate"),
    path("check", checks.form_problems, name="check"),
    path("edit/", create.edit, name="edit"),
    path("edit/upload", create.upload, name="upload"),
    path("edit/prepare", create.prepare, name="prepare"),
    path("uploads/<path:key>", create.upload_file, name="upload_file"),
    path("images/<int:pk>/variation", create.variation, name="variation"),
    path("compare/<int:a>/<int:b>/", jobs.compare, name="compare"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job"),
    path("jobs/<int:pk>/status", jobs.job_status, name="job_status"),
    path("jobs/events", live.job_events, name="job_events"),
    path("jobs/<int:pk>/retry", jobs.job_retry, name="job_retry"),
    path("jobs/<int:pk>/previews/<int:index>", jobs.job_preview, name="job_preview"),
    path("history/", history.history, name="history"),
    path("teams/<slug:slug>/history/", history.history, name="team_history"),
]
