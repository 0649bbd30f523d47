"""element_colony: a reusable two-module DataJoint element (subjects, then their sessions).

Neither module names a database schema: each declares its tables on ``schema =
dj.Schema()`` and is bound to one by its ``activate()``.  Tables the element needs
but does not own (the lab that keeps a subject, the person running a session) are
looked up in the *linking module* the workflow passes to ``activate()``.
"""
