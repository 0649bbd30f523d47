"""dj.Diagram: see a pipeline, and follow a selection of rows along its foreign keys.

The package is layered: :mod:`.sources` turns schemas, tables and modules into
graph nodes; :mod:`.view` decides what to draw (nodes, edges, schema clusters,
collapsed schemas); :mod:`.dot` and :mod:`.mermaid` translate that view, with the
colours and shapes of :mod:`.style`; :mod:`.propagate` carries restrictions up
(``Diagram.trace``) and down (``Diagram.restrict``); :mod:`.diagram` is the
user-facing class.

``diagram_active`` says whether diagrams can be drawn as Graphviz graphs here (the
``graphviz`` package imports); Mermaid output and restrictions need nothing.
"""

from . import dot
from .diagram import Diagram, SvgText

#: True when ``Diagram.make_dot()`` and the pictures can be made (the graphviz package imports).
diagram_active: bool = dot.available()

__all__ = ["Diagram", "SvgText", "diagram_active"]
