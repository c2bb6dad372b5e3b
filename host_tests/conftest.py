import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for p in (os.path.join(ROOT, "firmware"), os.path.join(ROOT, "boards", "sim"),
          os.path.join(ROOT, "tools"), HERE):
    if p not in sys.path:
        sys.path.insert(0, p)

# host_tests/board/: on-target modules (the firmware's own machine); tools/test_board.py runs them.
# host_tests/docs/: the tests that draw the docs images, which need matplotlib
# (requirements-docs.txt, not in make test's venv); make test-docs runs them.
collect_ignore = ["board", "docs"]
