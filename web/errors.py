"""Error pages in the user's language, in one place; never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from ledger.errors import DomainError

MESSAGES_FA = {
    400: "درخواست نادرست است.",
    403: "اجازه‌ی دیدن این صفحه را ندارید.",
    404: "این صفحه پیدا نشد.",
    405: "این کار در این صفحه ممکن نیست.",
    500: "خطایی پیش آمد. دوباره تلاش کنید؛ اگر تکرار شد به مسئول سامانه خبر دهید.",
}


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        return render_template("error.html", status=400, message=error.message_fa), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        message = MESSAGES_FA.get(status, MESSAGES_FA[500])
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unhandled error", exc_info=error)
        return render_template("error.html", status=500, message=MESSAGES_FA[500]), 500
