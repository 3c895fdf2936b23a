# GET /profile as the original service answered it: which slot and version, as JSON, with the same X-Slot and
# X-App-Version headers the API sets, through a DRF APIView (content negotiation, authentication, permissions,
# throttling: the per-request work the original paid for).
from django.conf import settings
from rest_framework.response import Response
from rest_framework.views import APIView


class ProfileView(APIView):
    def get(self, request):
        response = Response(
            {"slot": settings.SLOT, "profile": "production", "version": settings.APP_VERSION}
        )
        response["X-Slot"] = settings.SLOT
        response["X-App-Version"] = settings.APP_VERSION
        response["Cache-Control"] = "no-store"
        return response
