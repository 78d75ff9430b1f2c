"""Where every matplotlib figure of the package starts: :func:`subplots` sets the font of the
active language first (:func:`lt_causal.language.configure_matplotlib`: the CJK font under
Chinese, whether it was chosen by ``lc.set_language`` or by ``$LT_CAUSAL_LANG``), so that looking
a string up (:func:`lt_causal.language.text`) has no side effect."""
from __future__ import annotations

from lt_causal.language import configure_matplotlib


def subplots(*args, **kwargs):
    """``matplotlib.pyplot.subplots`` in the active language's font."""
    import matplotlib.pyplot as plt

    configure_matplotlib()
    return plt.subplots(*args, **kwargs)
