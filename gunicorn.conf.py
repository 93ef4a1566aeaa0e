"""gunicorn's settings, read from the directory gunicorn starts in: access logs without secrets.

Django admin's search boxes send what was typed, often a patient's name, in the query string
(`?q=…`), and a page's address travels to the next request as its Referer header. Neither belongs
in a log file, so each access-log line records the client, the method, the path without its query,
the status, the size, the time taken and the browser. A password reset link's path carries a live
token (`/accounts/reset/<uid>/<token>/`): the log shows it as `/accounts/reset/…/…/`.
"""

import re

from gunicorn.glogging import Logger

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'

_RESET_LINK = re.compile(r"/accounts/reset/[^/\s]+/[^/\s]+/")


class AccessLogWithoutSecrets(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("U", "r"):
            atoms[name] = _RESET_LINK.sub("/accounts/reset/…/…/", atoms[name])
        return atoms


logger_class = AccessLogWithoutSecrets
