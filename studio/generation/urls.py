from django.urls import path

from . import views

app_name = "generation"
urlpatterns = [
    path("", views.new_job, name="new"),
    path("estimate", views.cost_estimate, name="estimate"),
    path("edit/", views.edit, name="edit"),
    path("edit/upload", views.upload, name="upload"),
    path("edit/prepare", views.prepare, name="prepare"),
    path("uploads/<path:key>", views.upload_file, name="upload_file"),
    path("images/<int:pk>/variation", views.variation, name="variation"),
    path("compare/<int:a>/<int:b>/", views.compare, name="compare"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status", views.job_status, name="job_status"),
    path("jobs/<int:pk>/retry", views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/previews/<int:index>", views.job_preview, name="job_preview"),
]
