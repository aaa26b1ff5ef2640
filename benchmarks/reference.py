"""The reference of ``request_costs.py``: what a Django team writes first, a plain DRF ModelViewSet.

``ModelSerializer`` over the stock User, token authentication, a ``?username=``
filter through django-filter and limit/offset paging: the same table and the
same work as the SCIM endpoints, without SCIM. Also the URLconf of
``request_costs.py``; ``http_urls`` mounts it beside the example product.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import include, path
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import routers, serializers, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated


def _user_fields() -> list[str]:
    """id, the login name, email, names and is_active: what the SCIM side returns, on any user model."""
    names = ["id", get_user_model().USERNAME_FIELD, "email", "first_name", "last_name", "is_active"]
    return list(dict.fromkeys(names))


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = _user_fields()


class UserViewSet(viewsets.ModelViewSet):
    queryset = get_user_model().objects.order_by("pk")
    serializer_class = UserSerializer
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    # ?username= on the stock User, ?email= on the example product's.
    filterset_fields = [get_user_model().USERNAME_FIELD]
    pagination_class = LimitOffsetPagination


router = routers.SimpleRouter()
router.register("users", UserViewSet)

urlpatterns = [
    path("scim/v2/", include("scim_provisioning.urls")),
    path("reference/", include(router.urls)),
]
