"""`python -m anim` runs the optianim command line."""

from anim.faces.cli import main

main()
