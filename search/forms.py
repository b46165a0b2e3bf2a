"""The search form: the query and its filters, read from GET parameters."""

from __future__ import annotations

from django import forms

from gazette.models import Document, Gazette

from .query import Filters, Within


class SearchForm(forms.Form):
    """Every field is optional; an invalid value is reported and ignored, never an error page."""

    q = forms.CharField(label="检索词", required=False)
    field = forms.ChoiceField(label="检索范围", required=False, choices=Within.choices)
    gazette = forms.IntegerField(label="公报", required=False, min_value=1, widget=forms.HiddenInput)
    issue = forms.IntegerField(label="期", required=False, min_value=1, widget=forms.HiddenInput)
    year = forms.IntegerField(label="年份", required=False, min_value=1900, max_value=2100)
    issuer = forms.CharField(label="发文机关", required=False, max_length=200)
    section = forms.CharField(label="栏目", required=False, max_length=200)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部")] + Gazette.Kind.choices)
    region = forms.CharField(label="地区", required=False, max_length=100)
    has_tasks = forms.ChoiceField(
        label="任务分工", required=False, choices=[("", "不限"), ("1", "有任务分工"), ("0", "无任务分工")]
    )
    date_from = forms.DateField(label="成文日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    published_from = forms.DateField(label="发布日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    published_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    genre = forms.CharField(label="文种", required=False, max_length=20)
    normative = forms.ChoiceField(
        label="规范性文件", required=False, choices=[("", "不限"), ("1", "规范性文件"), ("0", "非规范性文件")]
    )
    validity = forms.ChoiceField(label="效力", required=False, choices=[("", "不限")] + Document.Validity.choices)
    sort = forms.ChoiceField(
        label="排序", required=False, choices=[("relevance", "按相关度"), ("date", "按日期（新到旧）")]
    )

    def clean_has_tasks(self) -> bool | None:
        value = self.cleaned_data.get("has_tasks")
        return {"1": True, "0": False}.get(value)

    def clean_normative(self) -> bool | None:
        return {"1": True, "0": False}.get(self.cleaned_data.get("normative"))

    def clean(self):
        data = super().clean()
        for start, end in (("date_from", "date_to"), ("published_from", "published_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, "结束日期早于开始日期。")
        return data

    def filters(self) -> Filters:
        """The valid filters; fields with errors are left out."""
        data = getattr(self, "cleaned_data", {})
        return Filters(
            gazette=data.get("gazette"),
            issue=data.get("issue"),
            year=data.get("year"),
            issuer=data.get("issuer") or "",
            section=data.get("section") or "",
            kind=data.get("kind") or "",
            region=data.get("region") or "",
            has_tasks=data.get("has_tasks"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
            genre=data.get("genre") or "",
            normative=data.get("normative"),
            validity=data.get("validity") or "",
            published_from=data.get("published_from"),
            published_to=data.get("published_to") if "published_to" not in self.errors else None,
        )

    def query_text(self) -> str:
        return getattr(self, "cleaned_data", {}).get("q") or ""

    def within(self) -> str:
        """The field the search is kept within ('' for 全文)."""
        return getattr(self, "cleaned_data", {}).get("field") or Within.ALL

    def ordering(self) -> str:
        return getattr(self, "cleaned_data", {}).get("sort") or "relevance"
