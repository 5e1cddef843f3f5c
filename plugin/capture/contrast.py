"""WCAG 2.x colour contrast, so the capture widget's colours are readable (AA) before they are saved."""

from __future__ import annotations

AA_TEXT = 4.5
AA_NON_TEXT = 3.0


def _luminance(color: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two ``#rrggbb`` colours (1.0 to 21.0)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def aa_errors(colors: dict) -> dict[str, str]:
    """The widget's colour pairs below WCAG AA, as the colour field to change → a message for the merchant."""
    errors = {}
    if contrast_ratio(colors["text"], colors["background"]) < AA_TEXT:
        errors["text"] = f"text on background needs a contrast of at least {AA_TEXT}:1 (WCAG AA)"
    if contrast_ratio(colors["accent_text"], colors["accent"]) < AA_TEXT:
        errors["accent_text"] = f"button text on the accent colour needs at least {AA_TEXT}:1 (WCAG AA)"
    if contrast_ratio(colors["accent"], colors["background"]) < AA_NON_TEXT:
        errors["accent"] = f"the button needs a contrast of at least {AA_NON_TEXT}:1 with the background"
    return errors
