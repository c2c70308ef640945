"""irisplug plugin: batched spectral line fitting, templates and derived quantities.

The public top level: the template model other plugins build their line
templates with (an instrument plugin contributes them through the hook
``irisplug_line_templates``), and the template finders.

Examples
--------
>>> from irisplug_fit import Component, Line, Template
>>> line = Line("Fe XII 195.12", "Fe", "XII", 195.119, 6.2)
>>> Template("fe_xii_195", (Component("fe_xii_195", line),), (194.8, 195.4)).param_names[1:]
('fe_xii_195.amplitude', 'fe_xii_195.centre', 'fe_xii_195.width')
"""

from irisplug.lazy_exports import lazy_exports

_LAZY = {
    "Line": "irisplug_fit.lines",
    "ATOMIC_MASS": "irisplug_fit.lines",
    "Component": "irisplug_fit.templates",
    "Tie": "irisplug_fit.templates",
    "Template": "irisplug_fit.templates",
    "PROFILES": "irisplug_fit.templates",
    "get_template": "irisplug_fit.line_templates",
    "template_names": "irisplug_fit.line_templates",
    "default_template_name": "irisplug_fit.line_templates",
    "generic_template": "irisplug_fit.line_templates",
    "peak_template": "irisplug_fit.line_templates",
    "MGII_FEATURES": "irisplug_fit.mgii",
    "mgii_features": "irisplug_fit.mgii",
    "mgii_cube": "irisplug_fit.mgii",
}

__all__ = list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
