"""The admin's import page: paste a minute, or upload one or more minutes or release packs; preview every document
found; save each pack in its own transaction."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from decisions.importing import ImportRefused
from decisions.packs import PackRefused, PackSource, plan_pack, read_pack, save_pack, text_source

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOADS = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern for `multiple`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ImportMinuteForm(forms.Form):
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 18, "cols": 100}), strip=False,
        label="Text of the minute", help_text="Paste the minute (with its coversheet, if any), or upload files below.",
    )
    file = MultipleFileField(
        required=False, label="Or upload .txt or .pdf files",
        help_text="One or more minutes or release packs (coversheet, paper, minutes), up to 10 MB each.",
    )
    packs = forms.CharField(required=False, widget=forms.HiddenInput)  # the previewed packs, signed
    reference = forms.CharField(required=False, label="Reference (correction)", max_length=40)
    decision_date = forms.DateField(required=False, label="Decision date (correction)", widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(required=False, label="Title (correction)", max_length=400)
    update = forms.BooleanField(required=False, label="Update the minute if its reference is already recorded")

    def clean_file(self):
        uploads = self.cleaned_data["file"]
        if len(uploads) > MAX_UPLOADS:
            raise ValidationError(f"Upload at most {MAX_UPLOADS} files at once.")
        for upload in uploads:
            if not upload.name.lower().endswith((".txt", ".pdf")):
                raise ValidationError(f"{upload.name}: upload .txt or .pdf files.")
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(f"{upload.name} is larger than 10 MB.")
        return uploads

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("file") or cleaned.get("packs") or (cleaned.get("text") or "").strip()):
            raise ValidationError("Paste the text of a minute or upload a file.")
        return cleaned


class Preview:
    """One pack on the page: its plan, or why it could not be read; after saving, what was saved."""

    def __init__(self, source=None, plan=None, refusal=None, name=None):
        self.source, self.plan, self.refusal = source, plan, refusal
        self.name = name or (source.name if source else "")
        self.saved = []


def import_view(model_admin, request):
    """Paste or upload minutes or packs; preview every document with its warnings; confirm to save each pack whole."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = ImportMinuteForm(request.POST or None, request.FILES or None)
    previews, refusal = [], None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        previews = _previews(data)
        single = len(previews) == 1
        corrections = {key: data[key] for key in ("reference", "decision_date", "title")} if single else {}
        for preview in previews:
            if preview.source is not None:
                preview.plan = plan_pack(preview.name, source=preview.source, **corrections)
        plans = [preview.plan for preview in previews if preview.plan]
        if single and plans and not plans[0].minutes and plans[0].errors:
            form.add_error(None, plans[0].errors[0])
        elif request.POST.get("stage") == "confirm":
            done = _save(request, previews, update=data["update"])
            if done is not None:
                return done
            failed = [preview for preview in previews if preview.refusal]
            if single and failed:
                refusal = failed[0].refusal
                if failed[0].plan and any(planned.plan.existing for planned in failed[0].plan.minutes) and not data["update"]:
                    refusal += f" Nothing was saved. Tick “{form.fields['update'].label}” below and save again."
                    failed[0].refusal = None
        form = ImportMinuteForm(initial=_carried(data, previews))
    single_plan = _single_minute_plan(previews)
    return TemplateResponse(request, "admin/cabinet/minute/import.html", {
        **model_admin.admin_site.each_context(request), "title": "Import minutes and release packs",
        "opts": model_admin.model._meta, "form": form, "previews": previews, "plan": single_plan, "refusal": refusal,
        "can_save": any(preview.plan and preview.plan.can_save for preview in previews),
    })


def _previews(data):
    if data["file"]:
        previews = []
        for upload in data["file"]:
            try:
                previews.append(Preview(read_pack(upload.name, upload.read())))
            except PackRefused as error:
                previews.append(Preview(refusal=str(error), name=upload.name))
        return previews
    if data["packs"]:
        try:
            return [Preview(PackSource.loads(value)) for value in data["packs"].split()]
        except PackRefused as error:
            return [Preview(refusal=str(error), name="previewed packs")]
    return [Preview(text_source("Pasted text", data["text"]))]


def _save(request, previews, *, update):
    """Save each pack that can be saved, each in its own transaction; a redirect when every pack was saved."""
    for preview in previews:
        if preview.plan is None:
            continue
        try:
            preview.saved = save_pack(preview.plan, user=request.user, update=update)
        except ImportRefused as error:
            preview.refusal = str(error)
    saved = [minute for preview in previews for minute in preview.saved]
    if saved:
        listed = ", ".join(minute.reference for minute in saved)
        messages.success(request, f"Imported with their decision items and follow-ups: {listed}.")
    if saved and all(preview.saved for preview in previews):
        if len(saved) == 1:
            return redirect("admin:cabinet_minute_change", saved[0].pk)
        return redirect("admin:cabinet_minute_import")  # ready for the next batch; the message lists what was saved
    return None


def _carried(data, previews):
    """What the rebuilt form keeps: the text of a single pasted or uploaded minute (to correct it), else the packs."""
    initial = {key: value for key, value in data.items() if key not in ("file", "packs")}
    waiting = [preview for preview in previews if preview.source and not preview.saved]
    if len(waiting) == 1 and waiting[0].plan and waiting[0].plan.is_single_minute and len(waiting[0].source.pages) == 1:
        initial["text"] = waiting[0].source.pages[0].text
    elif waiting:
        initial["text"] = ""
        # Spaces between them: a browser drops line breaks from an input's value; signed values hold no spaces.
        initial["packs"] = " ".join(preview.source.dumps() for preview in waiting)
    return initial


def _single_minute_plan(previews):
    if len(previews) == 1 and previews[0].plan and len(previews[0].plan.minutes) == 1:
        return previews[0].plan.minutes[0].plan
    return None
