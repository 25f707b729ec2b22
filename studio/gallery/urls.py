from django.urls import path

from . import views

app_name = "gallery"
urlpatterns = [
    path("gallery/", views.my_images, name="mine"),
    path("images/<int:pk>/", views.image_detail, name="image"),
    path("images/<int:pk>/file", views.image_file, name="file"),
    path("images/<int:pk>/thumb", views.image_thumb, name="thumb"),
]
