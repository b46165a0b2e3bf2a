from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from .importer import ACCEPTED_SUFFIXES

# Why a file of another type is refused (its upload is still kept, with this reason).
UNACCEPTED_TYPE = (
    "只接受 PDF、Word（.docx）、网页（.html）或文本（.txt、.md）文件；"
    "旧版 Word（.doc）或 WPS 文件请先另存为 .docx，扫描件请先做文字识别（OCR）。"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field accepting several files; cleans to a list of UploadedFile."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = list(data) if isinstance(data, (list, tuple)) else [data] if data else []
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return [single(item, initial) for item in items]


class ImportUploadForm(forms.Form):
    """Step 1 of an import: the gazette files, read and checked but not yet saved."""

    files = MultipleFileField(
        label="公报文件",
        help_text=(
            "可选多个文件：公报或文件的 PDF（带文字层，非扫描件）、Word（.docx）、从政府网站保存的网页（.html），"
            "或文本（.txt、.md）。旧版 Word（.doc）和 WPS 文件请先另存为 .docx。"
        ),
        error_messages={"required": "请选择至少一个公报文件。"},
    )
    gazette_name = forms.CharField(
        label="公报名称（可选）",
        max_length=200,
        required=False,
        help_text="文件中未写明刊名时使用，如 贺州市人民政府公报",
    )
    year = forms.IntegerField(label="年份（可选）", min_value=1949, max_value=2100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text += (
            f"每个文件不超过 {filesizeformat(settings.GONGBAO_MAX_FILE_BYTES)}，"
            f"每次上传合计不超过 {filesizeformat(settings.GONGBAO_MAX_UPLOAD_BYTES)}。"
        )

    def clean_files(self) -> list[tuple[str, bytes]]:
        """(file name, bytes) of each upload; raises ValidationError naming each file over the size limits.

        A file of a type or content that cannot be imported is not refused here: the dry run
        refuses it with the reason and keeps the upload in the history.
        """
        file_limit = settings.GONGBAO_MAX_FILE_BYTES
        uploads = self.cleaned_data["files"]
        total = sum(upload.size for upload in uploads)
        if total > settings.GONGBAO_MAX_UPLOAD_BYTES:
            names = "、".join(PurePath(upload.name or "file").name for upload in uploads)
            raise ValidationError(
                f"文件过大：本次上传的 {names} 共 {filesizeformat(total)}，超过每次上传的上限 "
                f"{filesizeformat(settings.GONGBAO_MAX_UPLOAD_BYTES)}；请分批上传。"
            )
        result: list[tuple[str, bytes]] = []
        errors: list[str] = []
        for upload in uploads:
            name = PurePath(upload.name or "file").name[:255]
            if upload.size > file_limit:
                errors.append(
                    f"{name}：文件过大（{filesizeformat(upload.size)}），每个文件的上限为 {filesizeformat(file_limit)}。"
                )
                continue
            result.append((name, upload.read()))
        if errors:
            raise ValidationError(errors)
        return result


class ImportConfirmForm(forms.Form):
    """Step 2: the opaque token of a dry run kept in this user's session."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
