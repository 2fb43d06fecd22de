"""A helper process for tests/test_helper_process.py: answers {"echo": request} per line;
`{"exit": true}` makes it exit without answering, `{"sleep": s}` answers after s seconds."""

import json
import sys
import time

for line in sys.stdin:
    request = json.loads(line)
    if request.get("exit"):
        sys.exit(3)
    time.sleep(request.get("sleep", 0))
    print(json.dumps({"echo": request, "pid": __import__("os").getpid()}), flush=True)
