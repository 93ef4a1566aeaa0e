"""Counting article reads: once per reader per article per day, never staff or obvious bots.

The reader is remembered by a signed cookie listing today's article ids (no IP list, no
server-side session). The count itself is incremented in the database with F().
"""

import re

from django.conf import settings
from django.utils import timezone

from content.services import article_read_count

COOKIE_NAME = "articles_read"
COOKIE_SALT = "content.reads"
# Enough for a day of reading; older ids fall off first.
REMEMBERED_PER_DAY = 200
BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|bingpreview|facebookexternalhit|embedly|monitor|pingdom|uptime|"
    r"curl/|wget/|python-requests|python-urllib|httpx|aiohttp|go-http-client|java/|okhttp|libwww|scrapy",
    re.IGNORECASE,
)


def _is_bot(request):
    user_agent = request.headers.get("User-Agent", "")
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def _read_today(request, today):
    value = request.get_signed_cookie(COOKIE_NAME, default="", salt=COOKIE_SALT)
    day, _, ids = value.partition(":")
    if day != today:
        return []
    return [int(part) for part in ids.split(",") if part.isdigit()]


def read_count_if_new(request, article):
    """Count a read of `article` when this reader has not read it today. Return True when counted.

    Staff (who may be previewing) and obvious bots are never counted, nor a HEAD request
    (an uptime monitor or link checker: nobody is shown the article).
    """
    if not read_is_new(request, article.pk):
        return False
    article_read_count(article_id=article.pk)
    return True


def read_is_new(request, article_pk):
    """Whether a view of the article `article_pk` is a read to count (see read_count_if_new)."""
    if request.method != "GET" or request.user.is_staff or _is_bot(request):
        return False
    return article_pk not in _read_today(request, timezone.localdate().isoformat())


def read_remember(request, response, article):
    """Add `article` to the reader's signed cookie for today."""
    today = timezone.localdate()
    read_ids = [pk for pk in _read_today(request, today.isoformat()) if pk != article.pk] + [article.pk]
    value = f"{today.isoformat()}:{','.join(str(pk) for pk in read_ids[-REMEMBERED_PER_DAY:])}"
    response.set_signed_cookie(
        COOKIE_NAME,
        value,
        salt=COOKIE_SALT,
        max_age=24 * 60 * 60,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
