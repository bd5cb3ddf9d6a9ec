"""OParl 1.1, mounted at /oparl/v1/. Object routes are named after OParl's types; a
body's external lists hang below the body. Any other address below the API answers with
an OParl error object (``not_found``)."""

from django.urls import path, re_path

from . import views

app_name = "oparl"
urlpatterns = [
    path("", views.system, name="system"),
    path("body/", views.body_list, name="body_list"),
    path("body/<int:pk>/", views.body, name="body"),
    path("body/<int:body>/organization/", views.organization_list, name="organization_list"),
    path("body/<int:body>/person/", views.person_list, name="person_list"),
    path("body/<int:body>/membership/", views.membership_list, name="membership_list"),
    path("body/<int:body>/meeting/", views.meeting_list, name="meeting_list"),
    path("body/<int:body>/agendaitem/", views.agendaitem_list, name="agendaitem_list"),
    path("body/<int:body>/file/", views.file_list, name="file_list"),
    path("body/<int:body>/paper/", views.paper_list, name="paper_list"),
    path("body/<int:body>/location/", views.location_list, name="location_list"),
    path(
        "organization/committee/<int:pk>/",
        views.organization_committee,
        name="organization_committee",
    ),
    path(
        "organization/committee/<int:pk>/meeting/",
        views.organization_committee_meetings,
        name="organization_committee_meetings",
    ),
    path(
        "organization/institution/<int:pk>/",
        views.organization_institution,
        name="organization_institution",
    ),
    path("person/<int:pk>/", views.person, name="person"),
    path("membership/<int:pk>/", views.membership, name="membership"),
    path(
        "membership/<int:committee>/<slug:post>/<int:user>/",
        views.membership_post,
        name="membership_post",
    ),
    path("meeting/<int:pk>/", views.meeting, name="meeting"),
    path("agendaitem/<int:pk>/", views.agendaitem, name="agendaitem"),
    path("file/<int:pk>/", views.file, name="file"),
    path("file/<int:pk>/access/", views.file_access, name="file_access"),
    path("file/<int:pk>/download/", views.file_download, name="file_download"),
    path("location/body/<int:pk>/", views.location_body, name="location_body"),
    path("location/meeting/<int:pk>/", views.location_meeting, name="location_meeting"),
    # Last: everything the routes above do not know.
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
