"""URL parts with a strict shape, so that nothing else (a NUL byte, say, which PostgreSQL refuses) reaches a query."""

from django.urls import register_converter


class JurisdictionCode:
    """A USPS code: two letters, either case (views upper-case it)."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ReceiptToken:
    """A receipt: what secrets.token_urlsafe makes."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class Open311Format:
    """The extension of a GeoReport v2 address: XML (the specification's default) or JSON."""

    regex = "xml|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(JurisdictionCode, "code")
register_converter(ReceiptToken, "receipt")
register_converter(Open311Format, "georeport_format")
