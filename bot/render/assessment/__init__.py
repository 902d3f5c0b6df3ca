"""Screens of the ISO 18091 self-assessment.

`labels`: its buttons and the names of quadrants, lights and quarters, shared by the others;
`sheet`: a focal point rating their agency's indicators; `chart`: the coordinators' chart.
"""

from bot.render.assessment.labels import (
    AssessAction,
    AssessButton,
    light_name,
    period_label,
    quadrant_name,
)

__all__ = ["AssessAction", "AssessButton", "light_name", "period_label", "quadrant_name"]
