from django import forms

from kinship.core.errors import KinshipError

# Services say this when only field messages matter; the form says it in its own words.
GENERIC = "Please correct the highlighted fields."


def show_errors(form: forms.Form, error: KinshipError) -> None:
    """Put a service's field errors on the form that collected the input."""
    if error.detail != GENERIC:
        form.add_error(None, error.detail)
    for field, messages in error.errors.items():
        form.add_error(field if field in form.fields else None, messages)
