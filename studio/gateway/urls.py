from django.urls import path

from . import links, views

app_name = "gateway"
urlpatterns = [
    path("v1/images/generations", views.generations, name="generations"),
    path("v1/images/edits", views.edits, name="edits"),
    path("v1/images/variations", views.variations, name="variations"),
    path("v1/models", views.models, name="models"),
    path("v1/files/images/<str:signed>", links.image_view, name="image"),
]
