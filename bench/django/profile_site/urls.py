from django.urls import path

from profile_site.views import ProfileView

urlpatterns = [
    path("profile", ProfileView.as_view()),
]
