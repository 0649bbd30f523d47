"""The built-in codecs under the module paths of DataJoint 2.3 (``datajoint.builtin_codecs.<name>``).

Each submodule names the codec classes that :mod:`datajoint_sa.codecs` defines and registers.
"""
