"""A file opened before the first index (what every editor does at startup) gets its module
name again once the crawl has found the packages, so its relative imports resolve."""

from ssc_lsp.map.navigation import definition
from ssc_lsp.map.service import MapOptions, MapService

BILLING = "shop/services/billing.py"


def test_relative_imports_of_a_document_opened_before_the_index(tmp_path, ws_copy):
    svc = MapService(str(ws_copy), MapOptions(db_path=str(tmp_path / "map.sqlite")))
    text = (ws_copy / BILLING).read_text()
    doc = svc.open(BILLING, text, 1)
    assert doc.fm.module != "shop.services.billing"  # no package is known yet
    svc.index()
    assert svc.docs[BILLING].fm.module == "shop.services.billing"
    assert svc.ws.modules["shop.services.billing"] == BILLING
    # `Order` in `from ..models import Order` is the class in shop/models/order.py
    row = text.splitlines().index("from ..models import Order")
    col = len("from ..models import O")
    loc = definition(svc.resolver, svc.ws.files[BILLING], row, col)
    assert loc is not None and loc.file.path == "shop/models/order.py", loc
    svc.close_store()
