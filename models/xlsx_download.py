import base64

from .receivable_aging_xlsx import XLSX_MIMETYPE


def xlsx_download(name, content):
    """A spreadsheet (``content``: bytes) as a read-only endpoint returns it for the web client
    to download, stored nowhere: ``{name, mimetype, content}`` (content in base64)."""
    return {
        "name": name.replace("/", "-"),
        "mimetype": XLSX_MIMETYPE,
        "content": base64.b64encode(content).decode(),
    }
