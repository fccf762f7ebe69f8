"""The themes (light, dark) and the colour map every view and the colour rules use: a fact the
colour science and the views' style both need, so it lives below them."""

COLORMAP = "viridis"  # the lecture's

# Each theme: the figure's background, the 3-D panes' colour, and rc settings on top of RC.
# The dark one is for dark slide decks: light grey text on near-black, legend boxes a step lighter.
THEMES = {
    "light": {"background": "#ffffff", "pane": (0.95, 0.95, 0.95, 0.5), "rc": {}},
    "dark": {"background": "#15171c", "pane": (0.26, 0.28, 0.32, 0.5), "rc": {
        "text.color": "#e6e6e6", "axes.labelcolor": "#e6e6e6", "axes.edgecolor": "#9aa0aa",
        "xtick.color": "#c8ccd4", "ytick.color": "#c8ccd4", "axes.facecolor": "#15171c",
        "figure.facecolor": "#15171c", "legend.facecolor": "#23262e", "legend.edgecolor": "#5a5f6a",
        "grid.color": "#4a4f5a"}},
}


def background(theme):
    """The theme's background colour as '#rrggbb'."""
    return THEMES[theme]["background"]


def pane(theme):
    """The RGBA colour of a 3-D axes' back panes."""
    return THEMES[theme]["pane"]
