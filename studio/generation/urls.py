from django.urls import path

from . import views

app_name = "generation"
urlpatterns = [
    path("", views.new_job, name="new"),
    path("estimate", views.cost_estimate, name="estimate"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status", views.job_status, name="job_status"),
]
