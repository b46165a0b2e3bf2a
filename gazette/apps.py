from django.apps import AppConfig


class GazetteConfig(AppConfig):
    name = "gazette"
    verbose_name = "公报"
