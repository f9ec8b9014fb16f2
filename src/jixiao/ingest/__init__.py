"""Reading input files into the model: YAML/JSON data files and filled-in workbooks.

Nothing here touches the database: a file becomes a :class:`~jixiao.model.Dataset` and a list
of :class:`~jixiao.problems.Problem` (file, line or sheet!cell, field, Chinese message). Any
error-level problem means no dataset at all.
"""
