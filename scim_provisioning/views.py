"""SCIM endpoints: the Users resource and SCIM errors for everything else under the mount point.

Views are thin: authentication resolves the key (and so the tenant),
serializers validate, ``UserProvisioner`` writes, and one exception handler
turns every failure into a SCIM error envelope. The host's own
``REST_FRAMEWORK`` settings are never consulted: every policy is set here.

``ScimView.dispatch`` runs a write in one transaction and records the
request in the event log (``events``): a successful write inside its
transaction, a failure after the rollback.
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import cached_property
from typing import Any, cast

from django.db import DatabaseError, transaction
from django.http import HttpRequest
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSet

from . import discovery, events
from .authentication import ProvisioningKeyAuthentication
from .conf import scim_settings
from .constants import MEDIA_TYPE
from .exceptions import ScimError, ScimType, format_errors, scim_exception_handler
from .filters import FilterTranslator, filter_queryset
from .locations import scim_base_url
from .models import ProvisionedUser, ProvisioningKey
from .pagination import list_response
from .parsers import PlainJSONParser, ScimJSONParser
from .patch import apply_patch
from .permissions import HasProvisioningKey
from .preconditions import check_if_match, not_modified
from .projection import project
from .provisioning import UserProvisioner
from .query import ListQuery, attribute_list
from .renderers import ScimJSONRenderer
from .schemas import canonicalize
from .serializers import ScimUserSerializer, entity_tag, user_location, user_representation, user_serializer
from .throttling import ProvisioningKeyRateThrottle


class ScimView(APIView):
    """Base for SCIM endpoints: SCIM media types, bearer keys, per-key throttling, SCIM errors, the event log."""

    authentication_classes = [ProvisioningKeyAuthentication]
    permission_classes = [HasProvisioningKey]
    parser_classes = [ScimJSONParser, PlainJSONParser]
    renderer_classes = [ScimJSONRenderer, JSONRenderer]
    # After authentication, so a request without a valid key is a 401 and counts nowhere.
    throttle_classes: list[Any] = [ProvisioningKeyRateThrottle]

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        # The views manage their own transactions: under the host's ATOMIC_REQUESTS
        # the failure event would be rolled back with the failed request.
        return transaction.non_atomic_requests(super().as_view(*args, **kwargs))

    def get_exception_handler(self) -> Any:
        return scim_exception_handler

    def is_write(self, request: HttpRequest) -> bool:
        """Whether the request writes: it then runs in one transaction, and its success is recorded."""
        return False

    def event_subject(self) -> events.Subject:
        """What the request was about, for its event: the SCIM id in the URL, by default."""
        return events.Subject(resource_id=str(self.kwargs.get("pk", "")))

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """Handle the request (a write in one transaction) and record its event, if it has one.

        A successful write is recorded inside its transaction; any answer of
        400 or more after the transaction has ended, so it survives the rollback.
        """
        writing = self.is_write(request)
        try:
            with transaction.atomic() if writing else nullcontext():
                response = super().dispatch(request, *args, **kwargs)
                if writing and response.status_code >= 400:
                    # Any error answer rolls every write back.
                    transaction.set_rollback(True)
                elif writing and (subject := self.event_subject()).outcome is not None:
                    events.record_write(self.request, subject.outcome, response.status_code, subject)
        except DatabaseError as exc:
            # The write's event, or the commit, failed and the write is rolled
            # back: answer the error, as a SCIM error like any other.
            response = self.response = self.finalize_response(self.request, self.handle_exception(exc))
        if response.status_code >= 400:
            error = getattr(response, "data", None)
            events.record_failure(self.request, response.status_code, error, self.event_subject())
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        # isascii(): str.isdigit() also accepts digits such as "²" that int() refuses.
        if length.isascii() and length.isdigit() and int(length) > scim_settings.MAX_BODY_SIZE:
            raise ScimError(413, f"The request body exceeds {scim_settings.MAX_BODY_SIZE} bytes.")
        super().initial(request, *args, **kwargs)

    def base_url(self) -> str:
        return scim_base_url(self.request)


class UserViewSet(ScimView, ViewSet):
    """``/Users`` (RFC 7644 §3.3-§3.6): create, read, list, search, replace, patch, delete."""

    #: The userName a POST or PUT sent, for the event of a write that fails.
    sent_user_name = ""

    @cached_property
    def provisioner(self) -> UserProvisioner:
        return UserProvisioner(cast(ProvisioningKey, self.request.auth), request=self.request)

    @property
    def adapter(self) -> Any:
        return self.provisioner.adapter

    def list(self, request: Request) -> Response:
        return self._list(ListQuery.from_query_params(request.query_params))

    def search(self, request: Request) -> Response:
        """``POST /Users/.search`` and ``POST /.search`` with a SearchRequest (RFC 7644 §3.4.3)."""
        response = self._list(ListQuery.from_search_request(_body(request)))
        response.status_code = status.HTTP_200_OK
        return response

    def _list(self, query: ListQuery) -> Response:
        translator = FilterTranslator(self.adapter.get_filter_fields())
        queryset = self.provisioner.links()
        if query.filter is not None:
            queryset = filter_queryset(queryset, query.filter, translator)
        ordering = translator.ordering(query.sort_by, query.descending) if query.sort_by else []
        total, page = self.provisioner.read_page(
            # tenant_id first, although constant here: with it, PostgreSQL reads the order straight
            # off the listing index also for tenant_id IS NULL, which no equality makes constant.
            queryset.order_by(*ordering, "tenant_id", "created_at", "pk"),
            query.start_index,
            query.count,
        )
        base_url = self.base_url()
        resources = [
            project(user_representation(link, attributes, base_url), query.attributes, query.excluded_attributes)
            for link, attributes in page
        ]
        return Response(list_response(resources, total, query.start_index), content_type=MEDIA_TYPE)

    def create(self, request: Request) -> Response:
        serializer = self._validated(self._received(request), creating=True)
        link = self.provisioner.create(serializer.to_attributes(), serializer.link_fields)
        response = self._resource_response(self._representation(link), status.HTTP_201_CREATED)
        response["Location"] = user_location(link, self.base_url())
        return response

    def retrieve(self, request: Request, pk: str) -> Response:
        link, attributes = self.provisioner.read_one(pk)
        resource = user_representation(link, attributes, self.base_url())
        if not_modified(request, resource["meta"]["version"]):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": resource["meta"]["version"]})
        return self._resource_response(resource)

    def update(self, request: Request, pk: str) -> Response:
        link = self.provisioner.get(pk, for_update=True)
        self._check_if_match(link)
        body = self._received(request)
        serializer = self._validated(body)
        self._check_immutable_id(body, link)
        self.provisioner.replace(link, serializer.to_attributes(), serializer.link_fields)
        return self._resource_response(self._representation(link))

    def partial_update(self, request: Request, pk: str) -> Response:
        link = self.provisioner.get(pk, for_update=True)
        current = self._representation(link)
        check_if_match(request, current["meta"]["version"])
        patched = apply_patch(canonicalize(current), _body(request))
        serializer = self._validated(patched)
        self.provisioner.replace(link, serializer.to_attributes(), serializer.link_fields)
        return self._resource_response(self._representation(link))

    def destroy(self, request: Request, pk: str) -> Response:
        link = self.provisioner.get(pk, for_update=True)
        self._check_if_match(link)
        self.provisioner.delete(link)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def is_write(self, request: HttpRequest) -> bool:
        # One transaction per write: the row lock taken by get(for_update=True)
        # lasts until the write. Reads (a POSTed search included) need no
        # transaction, and skip its round trips.
        method = str(request.method)
        return method not in SAFE_METHODS and self.action_map.get(method.lower()) != "search"

    def event_subject(self) -> events.Subject:
        """The user found or written, else the id in the URL and the userName sent."""
        # Not built when authentication failed: the provisioner needs the key.
        provisioner: UserProvisioner | None = self.__dict__.get("provisioner")
        if provisioner is not None and provisioner.subject is not None:
            link = provisioner.subject
            return events.Subject(str(link.pk), link.user_name, provisioner.outcome)
        return events.Subject(str(self.kwargs.get("pk", "")), self.sent_user_name)

    def _received(self, request: Request) -> dict[str, Any]:
        """The body of a POST or PUT; its userName is kept for the event should the write fail."""
        body = _body(request)
        self.sent_user_name = events.user_name_in(body)
        return body

    def _representation(self, link: ProvisionedUser) -> dict[str, Any]:
        return user_representation(link, self.provisioner.read(link), self.base_url())

    def _check_if_match(self, link: ProvisionedUser) -> None:
        """412 unless ``If-Match``, if sent, names the current version of ``link``'s user."""
        if self.request.META.get("HTTP_IF_MATCH"):
            check_if_match(self.request, entity_tag(link, self.provisioner.read(link)))

    @staticmethod
    def _validated(data: Any, creating: bool = False) -> ScimUserSerializer:
        serializer = user_serializer(creating, data=data)
        if not serializer.is_valid():
            raise ScimError(400, format_errors(serializer.errors), ScimType.INVALID_VALUE)
        return serializer

    @staticmethod
    def _check_immutable_id(data: dict[str, Any], link: ProvisionedUser) -> None:
        sent = canonicalize(data).get("id")
        if sent is not None and str(sent) != str(link.pk):
            raise ScimError(400, "'id' is read-only and cannot be changed.", ScimType.MUTABILITY)

    def _resource_response(self, resource: dict[str, Any], status_code: int = status.HTTP_200_OK) -> Response:
        """The resource as the client asked for it (``attributes``), with its ETag."""
        query = self.request.query_params
        body = project(
            resource,
            attribute_list(query.get("attributes"), "attributes"),
            attribute_list(query.get("excludedAttributes"), "excludedAttributes"),
        )
        response = Response(body, status=status_code, content_type=MEDIA_TYPE)
        response["ETag"] = resource["meta"]["version"]
        return response


class DiscoveryView(ScimView):
    """Discovery endpoints (RFC 7644 §4): readable without a key, since they hold no tenant data."""

    permission_classes: list[Any] = []
    # Not throttled: anyone may read them without a key, so a per-key bucket would only
    # slow down the IdPs that identify themselves; they are constant documents that touch
    # no tenant data. Limit anonymous traffic per client address in front of Django.
    throttle_classes: list[Any] = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if "filter" in request.query_params:
            # RFC 7644 §4: a filter here SHOULD be refused, so no client assumes it matched.
            raise ScimError(403, "Discovery endpoints do not support filtering.")


class ServiceProviderConfigView(DiscoveryView):
    def get(self, request: Request) -> Response:
        return Response(discovery.service_provider_config(self.base_url()), content_type=MEDIA_TYPE)


class ResourceTypesView(DiscoveryView):
    def get(self, request: Request, resource_type: str | None = None) -> Response:
        documents = discovery.resource_types(self.base_url())
        if resource_type is None:
            return Response(list_response(documents, len(documents), 1), content_type=MEDIA_TYPE)
        found = next((d for d in documents if d["id"].lower() == resource_type.lower()), None)
        if found is None:
            raise ScimError(404, f"Resource type {resource_type!r} not found.")
        return Response(found, content_type=MEDIA_TYPE)


class SchemasView(DiscoveryView):
    def get(self, request: Request, schema_id: str | None = None) -> Response:
        if schema_id is None:
            documents = discovery.schemas(self.base_url())
            return Response(list_response(documents, len(documents), 1), content_type=MEDIA_TYPE)
        found = discovery.find_schema(schema_id, self.base_url())
        if found is None:
            raise ScimError(404, f"Schema {schema_id!r} not found.")
        return Response(found, content_type=MEDIA_TYPE)


def _body(request: Request) -> dict[str, Any]:
    """The parsed JSON object (the parsers refuse anything else; an empty body is ``{}``)."""
    data = request.data
    if not isinstance(data, dict):
        raise ScimError(400, "The request body must be a JSON object.", ScimType.INVALID_SYNTAX)
    return data


class NotOfferedView(ScimView):
    """``/Groups``, ``/Bulk``, ``/Me``: answered 501 with a SCIM error, never an HTML page."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    resource = ""

    def handle(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise ScimError(501, f"{self.resource} is not supported by this service provider; it provisions Users only.")

    get = post = put = patch = delete = handle


class NotFoundView(ScimView):
    """Any other path below the mount point: a SCIM 404."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def handle(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise ScimError(404, f"No SCIM endpoint at {request.path!r}.")

    get = post = put = patch = delete = handle
