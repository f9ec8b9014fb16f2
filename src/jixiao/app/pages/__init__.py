"""Each page's data, as pydantic models: the HTML page renders it, the API returns it as JSON."""
