"""The output-format registry: everything optianim knows about a format, in one record per format,
and what a document format's writer is given."""

import importlib
import importlib.util
from dataclasses import dataclass, field

from anim.errors import RenderError

# Videos are converted from RGB with the BT.709 matrix and say so: untagged, Chromium guessed
# BT.601 for small videos and BT.709 from 720p up, and showed 720p colours 10 levels off.
# (setparams tags the frames; the output options alone left primaries and transfer unknown)
BT709_TAGS = ("-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv")
X264_PRESET = "veryfast"  # measured 1.7x faster than 'medium' at no size cost on these flat frames
X264_CRF = 20
# VP9 'good' at its fastest (-cpu-used 5) took 3x as long as rendering; 'realtime' at 7 is 8x faster
# than that, for 20% more bytes than 'good' on these frames.
VP9 = ("-c:v", "libvpx-vp9", "-crf", "34", "-b:v", "0", "-deadline", "realtime", "-cpu-used", "7", "-row-mt", "1")


@dataclass(frozen=True)
class Format:
    """One output format: how it is encoded, which frames it keeps, what the manifest and the
    preview page say of it. `ffmpeg` is None for a format written without ffmpeg (PNG).

    A *document* format (frames 'none') is not encoded from a view's frames: it is written once per
    scene, after the views, by `writer` ('module:function', called with a Document), from the
    render's data and the files written before it (an interactive page, a slide deck)."""

    name: str
    help: str                 # one line for `--format`
    media_type: str
    page: str                 # the preview page shows it as a 'video', an 'img', or a 'link' (browsers cannot play it)
    frames: str               # 'all': every video frame; 'slide': every gif_step-th at the slide size; 'last';
                              # 'none': a document (see above)
    alpha: bool               # keeps a see-through background with --transparent (else laid on the theme's)
    codec: str                # as a decoder names it
    pix_fmt: tuple = ()       # (opaque, see-through) pixel formats ffmpeg encodes from
    decoded: tuple = ()       # (opaque, see-through) pixel formats a decoder reads back, if not pix_fmt
    ffmpeg: tuple = None      # output options after -map; None: not written by ffmpeg
    muxer: str = ""
    palette: bool = False     # needs the GIF palette (encode.palette)
    merges: bool = False      # the encoder may merge identical frames: count them in the file
    fields: dict = field(default_factory=dict)  # fixed facts the manifest records
    writer: str = None        # a document's writer, 'module:function'
    filename: str = None      # a document's file name in the scene's folder (its writer may add others)
    embeds: tuple = ()        # a document: the frame formats it can embed, the first by default; a render
                              # asking for the document writes the one chosen too
    chooser: str = None       # the Settings field that chooses among `embeds` (pptx: pptx_media)
    needs: tuple = ()         # (module, extra): a package its writer imports, from optianim's extra

    @property
    def animated(self):
        return self.frames not in ("last", "none")

    @property
    def document(self):
        return self.frames == "none"

    def write(self, document):
        """Write this document format for `document` (a Document); the (temporary path,
        FileRecord) of each file written, complete, under temporary names."""
        module, function = self.writer.split(":")
        return getattr(importlib.import_module(module), function)(document)

    def embedded(self, settings):
        """The frame format this document embeds under `settings`, or None."""
        if not self.embeds:
            return None
        return getattr(settings, self.chooser) if self.chooser else self.embeds[0]

    def check_installed(self):
        """RenderError with the pip line when the package this format's writer needs is missing."""
        if self.needs and importlib.util.find_spec(self.needs[0]) is None:
            raise RenderError(f"--format {self.name} needs the {self.needs[0]} package: "
                              f"pip install 'optianim[{self.needs[1]}]'")

    def pixel_format(self, transparent):
        return self.pix_fmt[1 if transparent and self.alpha else 0]

    def manifest_fields(self, transparent):
        """What the manifest records of a file of this format, beyond its frames, fps and size."""
        facts = {"codec": self.codec, **self.fields}
        if self.pix_fmt:
            facts["pix_fmt"] = (self.decoded or self.pix_fmt)[1 if transparent and self.alpha else 0]
        if not self.animated:
            facts["alpha"] = transparent and self.alpha
        return facts


FORMATS = {f.name: f for f in (
    Format("mp4", "H.264 video for lecture videos and slides' players", "video/mp4", page="video", frames="all",
           alpha=False, codec="h264", pix_fmt=("yuv420p", "yuv420p"), muxer="mp4",
           ffmpeg=("-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(X264_CRF), "-profile:v", "high",
                   "-movflags", "+faststart", *BT709_TAGS),
           fields={"profile": "High", "color_space": "bt709", "faststart": True}),
    Format("gif", "GIF for slides: loops forever, at most 960 px wide", "image/gif", page="img", frames="slide",
           alpha=False, codec="gif", ffmpeg=("-loop", "0"), muxer="gif", palette=True,
           fields={"colors": 256, "loop": "forever"}),
    Format("webm", "VP9 video for web pages (keeps alpha with --transparent)", "video/webm", page="video",
           frames="all", alpha=True, codec="vp9", pix_fmt=("yuv420p", "yuva420p"), muxer="webm",
           ffmpeg=(*VP9, *BT709_TAGS), fields={"color_space": "bt709"}),
    # libwebp converts RGB to YUV itself, with WebP's own matrix; decoders give back ARGB. It keeps a
    # run of identical frames as one frame shown as long: the file may hold fewer than were fed.
    Format("webp", "animated WebP for web pages: the GIF's frames in full colour, alpha with --transparent",
           "image/webp", page="img",
           frames="slide", alpha=True, codec="webp", pix_fmt=("bgra", "bgra"), decoded=("argb", "argb"),
           muxer="webp", ffmpeg=("-c:v", "libwebp_anim", "-quality", "80", "-compression_level", "4", "-loop", "0"),
           merges=True,
           fields={"loop": "forever"}),
    # ProRes 4444 from 10-bit 4:4:4 (with alpha for --transparent); FFmpeg's decoder gives back 12 bits.
    Format("mov", "Apple ProRes 4444 for video editors (keeps alpha with --transparent)", "video/quicktime",
           page="link", frames="all", alpha=True, codec="prores", pix_fmt=("yuv444p10le", "yuva444p10le"),
           decoded=("yuv444p12le", "yuva444p12le"), muxer="mov",
           ffmpeg=("-c:v", "prores_ks", "-profile:v", "4444", "-vendor", "apl0", *BT709_TAGS),
           fields={"profile": "4444", "color_space": "bt709"}),
    Format("png", "the last frame as an image (keeps alpha with --transparent)", "image/png", page="img",
           frames="last", alpha=True, codec="png"),
    # Documents: written once per scene after the views, from the render's data and files.
    # One offline page to scrub, play, rotate, toggle and hover the runs (anim.write.explore).
    Format("html", "explore.html: an interactive page, offline in one file (steps, 3-D, legend, hover)", "text/html",
           page="link", frames="none", alpha=False, codec="html", writer="anim.write.explore:write",
           filename="explore.html"),
    Format("pptx", "a 16:9 PowerPoint deck, a slide per view: its animation (GIF, or MP4 with --pptx-media mp4) "
           "with its alt text, the description in the notes (needs optianim[slides])",
           "application/vnd.openxmlformats-officedocument.presentationml.presentation", page="link", frames="none",
           alpha=False, codec="pptx", writer="anim.write.slides:write", filename="deck.pptx", embeds=("gif", "mp4"),
           chooser="pptx_media", needs=("pptx", "slides")),
    Format("beamer", "LaTeX Beamer: each view's GIF frames as one PDF, <view>.tex (the animate package) and a "
           "deck.tex with a frame per view", "application/x-tex", page="link", frames="none", alpha=False,
           codec="latex", writer="anim.write.beamer:write", filename="deck.tex", embeds=("gif",)),
)}
DEFAULT_FORMATS = ("mp4", "gif")


def check_installed(names):
    """RenderError with the pip line if a package the formats `names` need is missing."""
    for name in names:
        FORMATS[name].check_installed()


def frame_formats(names):
    """The formats of `names` that are encoded from each view's frames, in order."""
    return tuple(name for name in names if not FORMATS[name].document)


@dataclass(frozen=True)
class Document:
    """What a document format's writer is given: the scene and its runs as drawn (each knowing
    where it stopped), the view window, the settings, the timeline (the frame each step shows),
    the scene's folder, the files written so far (FileRecords, under their final names; their
    bytes are at `temps`, not yet renamed into place), a Landscape's projection (or None) and what
    the videos show in words (anim.write.describe.Description: each view's alt text, the transcript)."""

    scene: object
    runs: list
    window: tuple
    settings: object
    timeline: object
    folder: object
    records: list
    temps: dict               # final path -> the temporary path holding its bytes until the render ends
    projection: object = None
    description: object = None

