from ssc_lsp.map.resolve import External
from ssc_lsp.map.service import MapOptions, MapService


def test_jedi_types_what_the_map_cannot(tmp_path):
    (tmp_path / "lib.py").write_text(
        "class Engine:\n    def start(self, fast=False):\n        return 1\n\n\n"
        "def make():\n    return [Engine()][0]\n")
    (tmp_path / "app.py").write_text(
        "import json\nfrom lib import make\n\nengine = make()\nengine.start()\njson.dumps({})\n")
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    fm = svc.ws.files["app.py"]
    # the map alone cannot type `make()`'s result (no return annotation, a list subscript)
    assert svc.resolver.target_at(fm, 4, 8) is None
    deep = svc.deep_target("app.py", 4, 8)
    assert deep.symbol.id == "lib.py::Engine.start"
    ext = svc.deep_target("app.py", 5, 6)
    assert isinstance(ext, External) and ext.dotted == "json.dumps"
