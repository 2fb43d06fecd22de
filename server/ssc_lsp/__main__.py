import sys

from .cli import main

if __name__ == "__main__":  # spawned index workers import this module as __mp_main__
    sys.exit(main())
