"""`ssc/status`: the map's state per workspace folder, for status bars and tests."""

from __future__ import annotations

STATUS = "ssc/status"


def register(server) -> None:
    @server.feature(STATUS)
    def ssc_status(ls, params=None) -> dict:
        folders = []
        for svc in ls.maps:
            folders.append({
                "root": svc.root,
                "state": svc.state,
                "files": len(svc.ws.files),
                "openDocuments": len(svc.docs),
                "lastError": svc.last_error,
                # files not mapped and why: a count and the first few
                "problems": svc.problem_report(),
                "loose": svc in ls.projects.loose,  # a project outside every folder
            })
        ready = all(f["state"] == "ready" for f in folders)
        return {"folders": folders, "ready": ready}
