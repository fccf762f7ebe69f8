"""`python -m anim` runs the optianim command line."""

from anim.cli import main

main()
