from django.urls import path

from . import views

app_name = "spending"
urlpatterns = [
    path("spend/", views.spend, name="spend"),
    path("spend/export.csv", views.export, name="export"),
    path("teams/<slug:slug>/budget/", views.team_budget, name="team_budget"),
    path("notices/<int:pk>/dismiss", views.dismiss_notice, name="dismiss_notice"),
]
