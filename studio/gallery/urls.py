from django.urls import path

from . import bulk_views, download_views, share_views, trash_views, views

app_name = "gallery"
urlpatterns = [
    path("gallery/", views.my_images, name="mine"),
    path("gallery/export.zip", views.export, name="export"),
    path("gallery/compare/", views.compare_selected, name="compare_selected"),
    path("gallery/bulk", bulk_views.bulk_action, name="bulk"),
    path("gallery/bulk/tools", bulk_views.bulk_tools, name="bulk_tools"),
    path("gallery/bulk/undo", bulk_views.bulk_undo, name="bulk_undo"),
    path("teams/", views.teams, name="teams"),
    path("teams/<slug:slug>/", views.team_gallery, name="team"),
    path("search/", views.search, name="search"),
    path("trash/", trash_views.trash, name="trash"),
    path("trash/restore-all", bulk_views.restore_all, name="restore_all"),
    path("trash/delete-forever", bulk_views.delete_forever, name="delete_forever"),
    path("trash/<int:pk>/thumb", trash_views.trash_thumb, name="trash_thumb"),
    path("images/<int:pk>/", views.image_detail, name="image"),
    path("images/<int:pk>/family/", views.image_family, name="family"),
    path("images/<int:pk>/file", views.image_file, name="file"),
    path("images/<int:pk>/thumb", views.image_thumb, name="thumb"),
    path("images/<int:pk>/download", download_views.image_download, name="download"),
    path("images/<int:pk>/download-with-details", download_views.image_download_with_details,
         name="download_details"),
    path("images/<int:pk>/favourite", views.favourite, name="favourite"),
    path("images/<int:pk>/tags", views.add_tag, name="add_tag"),
    path("images/<int:pk>/tags/<int:tag_id>/remove", views.remove_tag, name="remove_tag"),
    path("images/<int:pk>/move", views.move, name="move"),
    path("images/<int:pk>/delete", trash_views.delete, name="delete"),
    path("images/<int:pk>/restore", trash_views.restore, name="restore"),
    path("images/<int:pk>/share", share_views.create_share_link, name="share"),
    path("images/<int:pk>/share/<int:link_id>/revoke", share_views.revoke_share_link, name="revoke_share"),
    path("s/<str:token>/", share_views.shared_page, name="shared"),
    path("s/<str:token>/file", share_views.shared_file, name="shared_file"),
    path("s/<str:token>/thumb", share_views.shared_thumb, name="shared_thumb"),
    path("s/<str:token>/download", download_views.shared_download, name="shared_download"),
]
