#!/usr/bin/env bash
# The real clients of tests/clients from Debian's packages: ffprobe (package ffmpeg), Chromium,
# LibreOffice Impress (soffice, for the pptx decks), pdflatex with TeX Live's animate package (the
# Beamer deck) and pdftoppm (poppler-utils, to rasterise their PDFs); no recommended packages.
# Does nothing when all are there; without root or sudo it says so, and the client tests skip
# (or fail, under CI).
set -euo pipefail
packages=()
command -v ffprobe >/dev/null 2>&1 || packages+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-impress)
{ command -v pdflatex >/dev/null 2>&1 && kpsewhich animate.sty >/dev/null 2>&1; } \
    || packages+=(texlive-latex-base texlive-latex-extra)
command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
((${#packages[@]})) || exit 0
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "note: tests/clients needs ${packages[*]} from apt (run as root to install); those tests will skip" >&2
    exit 0
fi
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
