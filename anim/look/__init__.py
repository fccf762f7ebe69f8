"""Layer 3, look: how the runs look (colour science, themes, style and the views, each drawing
frames as pixels). Imports only anim.compute, anim.declare and below."""
