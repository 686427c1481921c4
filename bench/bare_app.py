"""The baseline for page throughput: a bare Flask route that reads one SQLite row and renders a Jinja page
of a given size, with nothing else (no sessions, no database layer, no extensions).

    BARE_PAGE_BYTES=20000 BARE_DATABASE=/tmp/x.db gunicorn 'bare_app:create_app()'   (from bench/)
"""
from __future__ import annotations

import os
import sqlite3

from flask import Flask, render_template_string

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>{% endfor %}</main></body>
</html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    size = int(os.environ.get("BARE_PAGE_BYTES", "20000"))
    path = os.environ["BARE_DATABASE"]
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS pages (id INTEGER PRIMARY KEY, title TEXT)")
        connection.execute("INSERT OR REPLACE INTO pages VALUES (1, 'A shared agenda')")
    paragraphs = ["Proportional representation for every election in the United Kingdom. " * 10] * (size // 720 + 1)

    @app.get("/")
    def page() -> str:
        with sqlite3.connect(path) as connection:
            (title,) = connection.execute("SELECT title FROM pages WHERE id = 1").fetchone()
        return render_template_string(PAGE, title=title, paragraphs=paragraphs)

    return app
