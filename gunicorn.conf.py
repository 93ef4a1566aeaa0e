"""gunicorn's settings, read from the directory gunicorn starts in: access logs without query strings.

Django admin's search boxes send what was typed, often a patient's name, in the query string
(`?q=…`), and a page's address travels to the next request as its Referer header. Neither belongs
in a log file, so each access-log line records the client, the method, the path without its query,
the status, the size, the time taken and the browser.
"""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'
