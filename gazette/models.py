from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Max, Prefetch, Q, Window
from django.db.models.functions import Coalesce, ExtractYear, RowNumber
from django.urls import reverse

from .importer.text import normalise_doc_number, split_doc_number


class GazetteQuerySet(models.QuerySet):
    def with_counts(self) -> GazetteQuerySet:
        """Annotate issue_count, document_count and latest_published."""
        return self.annotate(
            issue_count=Count("issues", distinct=True),
            document_count=Count("issues__documents", distinct=True),
            latest_published=Max("issues__published"),
        )


class Gazette(models.Model):
    """A publication: a city's government gazette, or a policy compilation (汇编)."""

    class Kind(models.TextChoices):
        GAZETTE = "gazette", "政府公报"
        COMPILATION = "compilation", "政策汇编"

    name = models.CharField("名称", max_length=200, unique=True)
    city = models.CharField("城市/机关", max_length=100, blank=True, help_text="如 贺州市；部门名称按城市区分")
    publisher = models.CharField("编印单位", max_length=200, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.GAZETTE)

    objects = GazetteQuerySet.as_manager()

    class Meta:
        verbose_name = "公报"
        verbose_name_plural = "公报"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("gazette:gazette-detail", args=[self.pk])


class IssueQuerySet(models.QuerySet):
    def latest_first(self) -> IssueQuerySet:
        return self.order_by("-published", "-year", "-number", "-pk")

    def with_counts(self) -> IssueQuerySet:
        return self.annotate(document_count=Count("documents", distinct=True))

    def in_gazette(self, gazette: Gazette) -> IssueQuerySet:
        return self.filter(gazette=gazette)

    def in_year(self, year: int | None) -> IssueQuerySet:
        return self.filter(year=year) if year else self

    def years(self) -> list[int]:
        """Distinct years of these issues, newest first (one query)."""
        return list(self.exclude(year__isnull=True).order_by("-year").values_list("year", flat=True).distinct())

    def latest_per_gazette(self, count: int = 3) -> IssueQuerySet:
        """The newest `count` issues of every gazette, in one query (a window function)."""
        order = [
            F("published").desc(nulls_last=True),
            F("year").desc(nulls_last=True),
            F("number").desc(nulls_last=True),
            F("pk").desc(),
        ]
        return (
            self.select_related("gazette")
            .annotate(rank_in_gazette=Window(RowNumber(), partition_by=[F("gazette")], order_by=order))
            .filter(rank_in_gazette__lte=count)
            .order_by("gazette__name", *order)
        )


class Issue(models.Model):
    """One issue of a gazette (第N期) or one compilation file."""

    gazette = models.ForeignKey(Gazette, on_delete=models.PROTECT, related_name="issues", verbose_name="公报")
    year = models.PositiveIntegerField("年份", null=True, blank=True)
    number = models.PositiveIntegerField("期号", null=True, blank=True, help_text="第N期")
    total_number = models.PositiveIntegerField("总期号", null=True, blank=True, help_text="总第M期")
    published = models.DateField("出版日期", null=True, blank=True)
    source = models.OneToOneField(
        "ImportRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="issue", verbose_name="来源文件"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = "期"
        verbose_name_plural = "期"
        ordering = ["-published", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["gazette", "year", "number"],
                condition=Q(number__isnull=False),
                name="issue_unique_number_per_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.gazette.name} {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("gazette:issue-detail", args=[self.pk])

    @property
    def label(self) -> str:
        parts = []
        if self.year:
            parts.append(f"{self.year}年")
        if self.number:
            parts.append(f"第{self.number}期")
        if self.total_number:
            parts.append(f"（总第{self.total_number}期）")
        return "".join(parts) or (self.published.isoformat() if self.published else f"#{self.pk}")

    @property
    def groups_by_region(self) -> bool:
        """A compilation's table of contents is grouped by region, a gazette's by section (栏目)."""
        return self.gazette.kind == Gazette.Kind.COMPILATION

    def get_previous_in_gazette(self) -> Issue | None:
        return self._neighbour(before=True)

    def get_next_in_gazette(self) -> Issue | None:
        return self._neighbour(before=False)

    def _neighbour(self, *, before: bool) -> Issue | None:
        # Issues of one gazette in (year, number, pk) order; a missing year or number sorts first.
        op = "lt" if before else "gt"
        year, number = self.year or 0, self.number or 0
        sign = "-" if before else ""
        return (
            Issue.objects.filter(gazette_id=self.gazette_id)
            .annotate(year0=Coalesce("year", 0), number0=Coalesce("number", 0))
            .filter(
                Q(**{f"year0__{op}": year})
                | Q(year0=year, **{f"number0__{op}": number})
                | Q(year0=year, number0=number, **{f"pk__{op}": self.pk})
            )
            .order_by(f"{sign}year0", f"{sign}number0", f"{sign}pk")
            .first()
        )


class DocumentQuerySet(models.QuerySet):
    def in_issue(self, issue: Issue) -> DocumentQuerySet:
        return self.filter(issue=issue).order_by("order")

    def with_issue(self) -> DocumentQuerySet:
        return self.select_related("issue", "issue__gazette")

    def with_tasks(self) -> DocumentQuerySet:
        """Tasks in their order (the task model's default), each with its departments."""
        return self.prefetch_related("tasks__assignments__department")

    def by_doc_number(self, doc_number: str) -> DocumentQuerySet:
        from .importer import split_doc_number

        parts = split_doc_number(doc_number)
        if not parts:
            return self.none()
        code, year, seq = parts
        return self.filter(doc_code=code, doc_year=year, doc_seq=seq)

    def with_doc_numbers(self, numbers: list[str]) -> DocumentQuerySet:
        """Documents bearing any of these 文号 (however bracketed), in one query."""
        from .importer import split_doc_number

        condition = Q()
        for number in numbers:
            parts = split_doc_number(number) if number else None
            if parts:
                condition |= Q(doc_code=parts[0], doc_year=parts[1], doc_seq=parts[2])
        return self.filter(condition) if condition else self.none()

    def issued_by(self, name: str) -> DocumentQuerySet:
        """Documents this 发文机关 issued, alone or jointly (issuer "A、B" names A and B)."""
        return self.filter(
            Q(issuer=name)
            | Q(issuer__startswith=f"{name}、")
            | Q(issuer__endswith=f"、{name}")
            | Q(issuer__contains=f"、{name}、")
        )

    def in_year(self, year: int | None) -> DocumentQuerySet:
        """Documents of a year (of their 成文日期, else of their issue); all when year is None."""
        if not year:
            return self
        return self.filter(Q(date__year=year) | Q(date__isnull=True, issue__year=year))

    def newest_first(self) -> DocumentQuerySet:
        return self.order_by(F("date").desc(nulls_last=True), F("issue__published").desc(nulls_last=True), "-pk")

    def year_counts(self) -> list[dict]:
        """[{"year": 2023, "count": 12}, …] newest first, a document's year as in_year reads it (one query)."""
        return list(
            self.annotate(year=Coalesce(ExtractYear("date"), "issue__year", output_field=models.IntegerField()))
            .exclude(year__isnull=True)
            .values("year")
            .annotate(count=Count("pk"))
            .order_by("-year")
        )

    def validity_counts(self) -> list[dict]:
        """[{"validity": "in_force", "label": "现行有效", "count": 12}, …] in the order of Document.Validity (one query)."""
        counts = dict(self.order_by().values_list("validity").annotate(count=Count("pk")))
        return [
            {"validity": value, "label": label, "count": counts[value]}
            for value, label in Document.Validity.choices
            if counts.get(value)
        ]

    def for_toc(self) -> DocumentQuerySet:
        """Table-of-contents rows: no body text loaded, with each document's task count."""
        return self.defer("blocks", "body").annotate(task_count=Count("tasks")).order_by("order")

    def with_links(self) -> DocumentQuerySet:
        """Prefetch the documents this one links to and those linking to it (cited by)."""
        return self.prefetch_related(
            Prefetch(
                "links_out",
                queryset=DocumentLink.objects.select_related("target__issue__gazette")
                .defer("target__blocks", "target__body")
                .order_by("target__issue__published", "target__order"),
            ),
            Prefetch(
                "links_in",
                queryset=DocumentLink.objects.select_related("source__issue__gazette")
                .defer("source__blocks", "source__body")
                .order_by("-source__issue__published", "source__order"),
            ),
        )


class Document(models.Model):
    """A document published in an issue, with its body stored as ordered blocks."""

    class Validity(models.TextChoices):
        """Whether it holds today; stored for search, recomputed on import and daily (gazette.validity)."""

        NOT_YET = "not_yet", "尚未施行"
        IN_FORCE = "in_force", "现行有效"
        EXPIRED = "expired", "已失效"
        REPEALED = "repealed", "已废止"
        AMENDED = "amended", "已修订"

    class EffectiveBasis(models.TextChoices):
        # The importer's values (gazette.importer.validity.DATE_IN_TEXT, DOCUMENT_DATE, ISSUE_DATE,
        # DOCUMENT_DATE_AFTER, ISSUE_DATE_AFTER).
        DATE_IN_TEXT = "date_in_text", "文中载明的日期"
        DOCUMENT_DATE = "document_date", "自印发之日起施行，按成文日期"
        ISSUE_DATE = "issue_date", "自印发之日起施行，按刊载公报的出版日期"
        DOCUMENT_DATE_AFTER = "document_date_after", "自印发之日起一定日数或月数后施行，按成文日期推算"
        ISSUE_DATE_AFTER = "issue_date_after", "自印发之日起一定日数或月数后施行，按刊载公报的出版日期推算"

    # What an admin may correct; a field named in corrected_fields is never overwritten by a
    # later reading of the text ("changes": the rows of what it repeals or amends).
    CORRECTABLE_FIELDS = (
        "genre",
        "transmitted_genre",
        "normative",
        "effective_from",
        "effective_basis",
        "valid_until",
        "validity",
        "changes",
    )

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="documents", verbose_name="期")
    order = models.PositiveIntegerField("顺序")
    section = models.CharField("栏目", max_length=200, blank=True)
    title = models.TextField("标题")
    doc_number = models.CharField("文号", max_length=100, blank=True, db_index=True)
    doc_code = models.CharField("发文机关代字", max_length=50, blank=True)
    doc_year = models.PositiveIntegerField("文号年份", null=True, blank=True)
    doc_seq = models.PositiveIntegerField("文号序号", null=True, blank=True)
    issuer = models.CharField("发文机关", max_length=200, blank=True)
    date = models.DateField("成文日期", null=True, blank=True)
    page = models.PositiveIntegerField("页码", null=True, blank=True)
    recipients = models.TextField("主送", blank=True)
    signature = models.CharField("落款", max_length=200, blank=True)
    attachments = models.JSONField("附件", default=list, blank=True)
    region = models.CharField("地区", max_length=100, blank=True)
    source_url = models.URLField("来源网址", max_length=500, blank=True)
    is_fragment = models.BooleanField("残篇", default=False, help_text="不属于任何条目的文字，保留备查")
    # [{"kind": "heading"|"paragraph"|"table", "text": str, "level": int|None, "rows": [[str]]}]
    blocks = models.JSONField("正文结构", default=list)
    body = models.TextField("正文纯文本", blank=True, help_text="由正文结构生成")
    genre = models.CharField("文种", max_length=20, blank=True, help_text="如 通知、意见、办法；印发类通知为“通知”")
    transmitted_genre = models.CharField(
        "所印发文件文种",
        max_length=20,
        blank=True,
        help_text="关于印发《…办法》的通知 → 办法；政府令 → 所公布规章的文种",
    )
    normative = models.BooleanField("规范性文件", default=False)
    effective_from = models.DateField("施行日期", null=True, blank=True)
    effective_basis = models.CharField("施行日期依据", max_length=20, choices=EffectiveBasis.choices, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="有效期最后一天")
    validity = models.CharField(
        "效力状态", max_length=20, choices=Validity.choices, default=Validity.IN_FORCE, db_index=True
    )
    corrected_fields = models.JSONField(
        "人工更正的字段", default=list, blank=True, help_text="这些字段不再由导入或重新识别改写"
    )
    # The rules version (gazette.importer.validity.RULES_VERSION) that read the fields above;
    # the daily validity job reads again the documents an older version read.
    validity_version = models.PositiveSmallIntegerField("效力识别规则版本", default=0)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "文件"
        verbose_name_plural = "文件"
        ordering = ["issue", "order"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "order"], name="document_unique_order"),
        ]
        indexes = [models.Index(fields=["doc_code", "doc_year", "doc_seq"], name="document_doc_number_parts")]

    def __str__(self) -> str:
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title

    def get_absolute_url(self) -> str:
        return reverse("gazette:document-detail", args=[self.pk])

    @property
    def source_link(self) -> str:
        """The source address if it is a web address a page may link to, else ''."""
        return self.source_url if self.source_url.lower().startswith(("http://", "https://")) else ""

    @property
    def issuer_names(self) -> list[str]:
        """Each 发文机关 of the issuer field (joint issuers are stored as "A、B")."""
        return [name for name in self.issuer.split("、") if name]

    @property
    def issued_year(self) -> int | None:
        """The year it was issued: of its 成文日期, else of its issue."""
        return self.date.year if self.date else self.issue.year

    @property
    def shows_validity(self) -> bool:
        """A fragment of a compilation is no document, so no validity is shown for it."""
        return not self.is_fragment

    @property
    def toc_group(self) -> str:
        """The heading this document is listed under in its issue's table of contents."""
        return self.region if self.issue.groups_by_region else self.section

    @property
    def body_blocks(self) -> list[DisplayBlock]:
        """The body blocks ready to show: heading tag by level, table header rows split off."""
        return self.body_blocks_in(range(len(self.blocks or [])))

    def body_blocks_in(self, indexes: range) -> list[DisplayBlock]:
        """body_blocks for these block indexes only (one part of a long body)."""
        blocks = self.blocks or []
        shown = []
        for index in indexes:
            raw = blocks[index]
            kind = raw.get("kind") or "paragraph"
            block = DisplayBlock(index=index, kind=kind, text=raw.get("text") or "")
            if kind == "heading":
                level = raw.get("level") or 1
                block.tag = f"h{min(max(int(level), 1), 4) + 1}"
            elif kind == "table":
                rows = [[str(cell) for cell in row] for row in raw.get("rows") or []]
                count = _header_row_count(rows)
                block.header_rows = list(enumerate(rows[:count]))
                block.body_rows = list(enumerate(rows[count:], start=count))
            shown.append(block)
        return shown

    def get_previous_in_issue(self) -> Document | None:
        return (
            Document.objects.filter(issue_id=self.issue_id, order__lt=self.order)
            .only("pk", "title", "order", "issue_id")
            .order_by("-order")
            .first()
        )

    def get_next_in_issue(self) -> Document | None:
        return (
            Document.objects.filter(issue_id=self.issue_id, order__gt=self.order)
            .only("pk", "title", "order", "issue_id")
            .order_by("order")
            .first()
        )


@dataclass
class DocumentChanges:
    """What a document page says of repeals and amendments: 被…废止, 被…修订, 废止了…, 修订了….

    Rows without a target are citations of documents not in the knowledge base.
    """

    repealed_by: list[DocumentChange] = field(default_factory=list)
    amended_by: list[DocumentChange] = field(default_factory=list)
    repeals: list[DocumentChange] = field(default_factory=list)
    amends: list[DocumentChange] = field(default_factory=list)

    @classmethod
    def of(cls, document: Document) -> DocumentChanges:
        """The rows either way of one document, in one query."""
        rows = list(DocumentChange.objects.touching(document))
        made = [row for row in rows if row.source_id == document.pk]
        received = [row for row in rows if row.target_id == document.pk and row.source_id != document.pk]
        repeals = DocumentChange.Kind.REPEALS
        return cls(
            repealed_by=[row for row in received if row.kind == repeals],
            amended_by=[row for row in received if row.kind != repeals],
            repeals=[row for row in made if row.kind == repeals],
            amends=[row for row in made if row.kind != repeals],
        )

    def __bool__(self) -> bool:
        return bool(self.repealed_by or self.amended_by or self.repeals or self.amends)


@dataclass
class DisplayBlock:
    """One body block as a page shows it; `anchor` is the id a task or citation links to."""

    index: int
    kind: str
    text: str = ""
    tag: str = "p"
    header_rows: list[tuple[int, list[str]]] = field(default_factory=list)
    body_rows: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"b{self.index}"

    @property
    def width(self) -> int:
        return max((len(row) for _, row in self.header_rows + self.body_rows), default=0)


def _header_row_count(rows: list[list[str]]) -> int:
    """How many leading rows of a stored table are its header (the importer's own rule)."""
    from .importer.blocks import is_header_continuation

    if len(rows) < 2:
        return len(rows)
    count = 1
    while count < len(rows) - 1 and count < 3 and is_header_continuation(rows[count]):
        count += 1
    return count


class DocumentLink(models.Model):
    """A relation between two documents: one cites the other, or one is the other's attachment."""

    class Kind(models.TextChoices):
        CITES = "cites", "引用"
        ATTACHMENT = "attachment", "附件即为"
        SAME = "same", "同一文件"

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links_out", verbose_name="文件")
    target = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links_in", verbose_name="关联文件")
    kind = models.CharField("关系", max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = "文件关联"
        verbose_name_plural = "文件关联"
        constraints = [models.UniqueConstraint(fields=["source", "target", "kind"], name="document_link_unique")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.get_kind_display()})"


class DocumentChangeQuerySet(models.QuerySet):
    def touching(self, document: Document) -> DocumentChangeQuerySet:
        """The rows of what a document repeals or amends and of what repeals or amends it, with both ends' issues."""
        return (
            self.filter(Q(source=document) | Q(target=document))
            .select_related("source__issue__gazette", "target__issue__gazette")
            .defer("source__blocks", "source__body", "target__blocks", "target__body")
            .order_by("kind", "pk")
        )


class DocumentChange(models.Model):
    """A document this one repeals (废止) or amends (修订), as its text names it.

    Kept as cited (文号 and/or title) whether or not that document is in the knowledge base;
    `target` is set once it is, by whichever of the two is imported later (gazette.validity).
    """

    class Kind(models.TextChoices):
        REPEALS = "repeals", "废止"
        AMENDS = "amends", "修订"

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="changes_made", verbose_name="文件")
    kind = models.CharField("关系", max_length=10, choices=Kind.choices)
    doc_number = models.CharField("所引文号", max_length=100, blank=True)
    doc_code = models.CharField("发文机关代字", max_length=50, blank=True, editable=False)
    doc_year = models.PositiveIntegerField("文号年份", null=True, blank=True, editable=False)
    doc_seq = models.PositiveIntegerField("文号序号", null=True, blank=True, editable=False)
    title = models.CharField("所引标题", max_length=300, blank=True)
    target = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changed_by",
        verbose_name="知识库中的文件",
        help_text="留空则导入该文件时按文号或标题自动关联",
    )

    objects = DocumentChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "废止与修订"
        verbose_name_plural = "废止与修订"
        ordering = ["source", "kind", "pk"]
        indexes = [
            models.Index(fields=["doc_year", "doc_seq"], name="document_change_number"),
            models.Index(fields=["title"], name="document_change_title"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.cited}"

    @property
    def cited(self) -> str:
        """The document as the text cites it: 《title》（文号）."""
        title = f"《{self.title}》" if self.title else ""
        number = f"（{self.doc_number}）" if self.doc_number and title else self.doc_number
        return title + number

    def clean(self) -> None:
        if not self.doc_number and not self.title and not self.target_id:
            raise ValidationError("请填写所引文号、标题或知识库中的文件。")
        if self.target_id and self.target_id == self.source_id:
            raise ValidationError({"target": "文件不能废止或修订自身。"})
        parts = split_doc_number(self.doc_number) if self.doc_number else None
        if self.doc_number and not parts:
            raise ValidationError({"doc_number": "无法识别的文号，应形如 贺政办发〔2018〕139号。"})
        self.doc_number = normalise_doc_number(self.doc_number) if parts else ""
        self.doc_code, self.doc_year, self.doc_seq = parts if parts else ("", None, None)


class CitationReference(models.Model):
    """A 文号 or 《title》 a document's body cites, kept so a document imported later finds who cites it."""

    class Kind(models.TextChoices):
        NUMBER = "number", "文号"
        TITLE = "title", "标题"

    source = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="citation_references", verbose_name="文件"
    )
    kind = models.CharField("引用方式", max_length=10, choices=Kind.choices)
    # As cited: 现将贺政办发〔2018〕145号 gives 现将贺政办发; the cited document's code is a suffix.
    code = models.CharField("发文机关代字", max_length=50, blank=True)
    year = models.PositiveIntegerField("文号年份", null=True, blank=True)
    seq = models.PositiveIntegerField("文号序号", null=True, blank=True)
    title = models.CharField("标题", max_length=200, blank=True, help_text="《》内的标题，内层〈〉已还原为《》")
    # The citing document's day (gazette.citations.issued_on), so the citations of a title from a
    # day on are found by an index range, not by joining every citing document.
    issued = models.DateField("引用文件日期", null=True, blank=True)

    class Meta:
        verbose_name = "引用"
        verbose_name_plural = "引用"
        ordering = ["source", "pk"]
        indexes = [
            models.Index(fields=["year", "seq"], condition=Q(kind="number"), name="citation_reference_number"),
            models.Index(fields=["title", "issued"], condition=Q(kind="title"), name="citation_reference_title_day"),
        ]

    def __str__(self) -> str:
        cited = f"《{self.title}》" if self.kind == self.Kind.TITLE else f"{self.code}〔{self.year}〕{self.seq}号"
        return f"{self.source} → {cited}"


class CitationKey(models.Model):
    """A title a document can be cited by (its own, a 《plan》 it names, the plan it prints), for lookups by equality."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="citation_keys", verbose_name="文件")
    title = models.CharField("可被引用的标题", max_length=200)
    # The document's day (gazette.citations.issued_on): the bearers of a title a citation of one
    # day can mean are an index range.
    issued = models.DateField("文件日期", null=True, blank=True)

    class Meta:
        verbose_name = "被引标题"
        verbose_name_plural = "被引标题"
        ordering = ["document", "title"]
        indexes = [models.Index(fields=["title", "issued"], name="citation_key_title_day")]

    def __str__(self) -> str:
        return f"《{self.title}》 → {self.document}"


class ImportRecordQuerySet(models.QuerySet):
    def of_content(self, sha256: str) -> ImportRecordQuerySet:
        return self.filter(sha256=sha256)

    def imported(self) -> ImportRecordQuerySet:
        """Records whose documents are in the database (indexed or not yet)."""
        return self.filter(status__in=ImportRecord.IMPORTED_STATUSES)

    def unfinished(self) -> ImportRecordQuerySet:
        """Records some process still has to work on: waiting, importing or indexing."""
        return self.exclude(status__in=ImportRecord.FINAL_STATUSES)

    def in_batch(self, batch) -> ImportRecordQuerySet:
        return self.filter(batch=batch).order_by("pk")

    def without_data(self) -> ImportRecordQuerySet:
        return self.defer("data")


class ImportRecord(models.Model):
    """Every uploaded gazette file, kept with its bytes, whoever imported it and the outcome.

    Its status moves pending → parsing → saving → index_pending → indexing → imported, or ends
    as unchanged or failed; an upload from the web is worked on by background jobs (gazette.tasks).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "等待处理"
        PARSING = "parsing", "解析中"
        SAVING = "saving", "保存中"
        INDEX_PENDING = "index_pending", "已导入，索引待更新"
        INDEXING = "indexing", "已导入，索引更新中"
        IMPORTED = "imported", "已导入"
        UNCHANGED = "unchanged", "未变更（重复文件）"
        FAILED = "failed", "失败"

    # The documents of these are in the database; one record per file content at most.
    IMPORTED_STATUSES = (Status.INDEX_PENDING, Status.INDEXING, Status.IMPORTED)
    # Nothing more will happen to these (an index_pending record may still be indexed later).
    FINAL_STATUSES = (Status.IMPORTED, Status.UNCHANGED, Status.FAILED)

    file_name = models.CharField("文件名", max_length=255)
    data = models.BinaryField("原始文件")
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="导入人"
    )
    gazette_name = models.CharField("指定公报名称", max_length=200, blank=True)
    year = models.PositiveIntegerField("指定年份", null=True, blank=True)
    batch = models.UUIDField("上传批次", null=True, blank=True, db_index=True)
    job_id = models.CharField("后台任务", max_length=64, blank=True, help_text="正在或将要处理此记录的后台任务")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    indexed_at = models.DateTimeField("索引时间", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    messages = models.JSONField("消息", default=list, blank=True)
    error = models.TextField("错误", blank=True)
    index_attempts = models.PositiveSmallIntegerField("索引失败次数", default=0)
    documents_created = models.PositiveIntegerField("新建文件数", default=0)
    documents_linked = models.PositiveIntegerField("关联已有文件数", default=0)
    tasks_created = models.PositiveIntegerField("任务数", default=0)

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at"]
        constraints = [
            # One successful import per file content: a second import of the same bytes is
            # recorded as unchanged, and two at once cannot both land.
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(status__in=["index_pending", "indexing", "imported"]),
                name="import_unique_imported_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES

    @property
    def is_imported(self) -> bool:
        """Its documents are in the database (whether or not the search index has them yet)."""
        return self.status in self.IMPORTED_STATUSES

    @property
    def is_settled(self) -> bool:
        """No job will work on it any more: final, or waiting for its index with no retry queued."""
        return self.is_final or (self.status == self.Status.INDEX_PENDING and not self.job_id)

    @property
    def step(self) -> int:
        """Where the record is on the way, 0 (waiting) to 4 (done), for a progress bar."""
        return {
            self.Status.PENDING: 0,
            self.Status.PARSING: 1,
            self.Status.SAVING: 2,
            self.Status.INDEX_PENDING: 3,
            self.Status.INDEXING: 3,
        }.get(self.status, 4)
