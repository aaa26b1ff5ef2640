"""Forms of the provisioning page: naming a new key, and filtering the activity list."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import ProvisioningEvent, ProvisioningKey


class KeyForm(forms.ModelForm):
    """The name of a key to generate; the key itself is made by ``create_key``."""

    class Meta:
        model = ProvisioningKey
        fields = ["name"]
        labels = {"name": _("Key name")}


class ActivityFilterForm(forms.Form):
    """Filter the activity list by outcome (a GET form, so it works without JavaScript)."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("All outcomes")), *ProvisioningEvent.Outcome.choices],
        required=False,
    )

    def filter(self, events: QuerySet[ProvisioningEvent]) -> QuerySet[ProvisioningEvent]:
        """The events with the chosen outcome; all of them for an empty or unknown choice."""
        outcome = self.cleaned_data.get("outcome") if self.is_valid() else None
        return events.filter(outcome=outcome) if outcome else events
