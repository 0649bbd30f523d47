"""dj.Diagram: see a pipeline.

The package is layered: :mod:`.sources` turns schemas, tables and modules into
graph nodes; :mod:`.view` decides what to draw (nodes, edges, schema clusters,
collapsed schemas); :mod:`.dot` and :mod:`.mermaid` translate that view, with the
colours and shapes of :mod:`.style`; :mod:`.diagram` is the user-facing class.
"""

from .diagram import Diagram, SvgText

__all__ = ["Diagram", "SvgText"]
